#pragma once
// Loading a DICOM folder or a stored series off the GUI thread; registering the
// loaded series in the store on the way (its own connection: one per thread),
// from what was loaded: each file is parsed once.

#include <memory>
#include <string>
#include <vector>

#include "flowseg/dicom/series.h"
#include "flowseg/ui/task.h"

namespace flowseg::ui {

class SeriesLoadTask : public Task {
    Q_OBJECT
public:
    /// Loads every series below `folder`; registers them in `storePath` when given.
    static SeriesLoadTask* forFolder(const std::string& folder, const std::string& storePath,
                                     QObject* parent = nullptr);
    /// Loads the given files (a stored series).
    static SeriesLoadTask* forFiles(std::vector<std::string> files, QObject* parent = nullptr);

    /// The series with the most slices (valid after finished(Succeeded)).
    [[nodiscard]] std::shared_ptr<const dicom::Series> series() const { return m_series; }
    /// Store id of the loaded series when it was registered (0 otherwise).
    [[nodiscard]] std::int64_t seriesId() const { return m_seriesId; }
    [[nodiscard]] const std::vector<std::string>& warnings() const { return m_warnings; }

protected:
    void run() override;

private:
    SeriesLoadTask(QString description, QObject* parent);
    std::string m_folder;
    std::vector<std::string> m_files;
    std::string m_storePath;
    std::shared_ptr<const dicom::Series> m_series;
    std::int64_t m_seriesId = 0;
    std::vector<std::string> m_warnings;
};

}  // namespace flowseg::ui
