#pragma once
// The application log: spdlog loggers per area ("ui", "sampling", "store",
// "dicom") writing to stderr, a log file and this panel.

#include <QPlainTextEdit>

#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace flowseg::ui {

class LogPanel : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit LogPanel(QWidget* parent = nullptr);
    ~LogPanel() override;

public Q_SLOTS:
    void appendLine(const QString& line);
};

/// The named logger of an area; created on first use with the shared sinks.
std::shared_ptr<spdlog::logger> logger(const std::string& area);
/// Sends every logger's lines to `panel` as well (queued to the GUI thread).
void attachLogPanel(LogPanel* panel);
/// Also writes to this file (created with its folder); call once at start-up.
void setLogFile(const std::string& path);

}  // namespace flowseg::ui
