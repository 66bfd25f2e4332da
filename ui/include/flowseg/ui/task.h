#pragma once
// One abstraction for long work (sampling, fine-tuning, import, export), after
// QGIS's QgsTask: run() executes on a worker thread, polls isCanceled() and
// reports progress; finished() is always delivered on the GUI thread.

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <atomic>

namespace flowseg::ui {

class Task : public QObject {
    Q_OBJECT
public:
    enum class Outcome { Succeeded, Failed, Canceled };
    Q_ENUM(Outcome)

    explicit Task(QString description, QObject* parent = nullptr);
    /// Cancels and waits. A subclass whose run() uses its own members must do the
    /// same in its destructor, since they are gone before this one runs.
    ~Task() override;

    /// Starts run() on the global thread pool. A task runs once.
    void start();
    /// Asks run() to stop at its next check; finished(Canceled) follows.
    void cancel();
    [[nodiscard]] bool isCanceled() const { return m_canceled.load(); }
    [[nodiscard]] bool isRunning() const { return m_running; }
    [[nodiscard]] const QString& description() const { return m_description; }
    [[nodiscard]] Outcome outcome() const { return m_outcome; }
    [[nodiscard]] const QString& errorMessage() const { return m_error; }
    /// Blocks the calling (GUI) thread until run() has returned; for shutdown.
    void waitForFinished();

Q_SIGNALS:
    /// Fraction in [0, 1] and a short text ("step 4/10"); queued to the GUI thread.
    void progressChanged(double fraction, const QString& text);
    void finished(flowseg::ui::Task::Outcome outcome);

protected:
    /// The work, on a worker thread. Throw to fail (the message reaches the user);
    /// return early when isCanceled() is true.
    virtual void run() = 0;
    /// Thread-safe; may be called from run().
    void setProgress(double fraction, const QString& text);

private:
    void execute();
    void onWorkerDone();

    QString m_description;
    QFutureWatcher<void> m_watcher;
    std::atomic<bool> m_canceled{false};
    bool m_running = false;
    Outcome m_outcome = Outcome::Succeeded;
    QString m_error;  // written by the worker before it ends, read after
};

}  // namespace flowseg::ui
