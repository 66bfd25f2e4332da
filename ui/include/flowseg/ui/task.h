#pragma once
// One abstraction for long work (sampling, fine-tuning, import, export), after
// QGIS's QgsTask: run() executes on a worker thread, polls isCanceled() and
// reports progress. Only the TaskManager starts a task, and it deletes a task
// only once its worker has returned (or, closing, after cancelling and waiting
// for it): a subclass's run() may use the subclass's members without a
// destructor of its own. The one way to hear that a task finished is the
// manager's (TaskManager::add's callback, or its taskFinished signal).

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <atomic>
#include <functional>

namespace flowseg::ui {

class Task : public QObject {
    Q_OBJECT
public:
    enum class Outcome { Succeeded, Failed, Canceled };
    Q_ENUM(Outcome)

    explicit Task(QString description, QObject* parent = nullptr);
    /// The worker has returned by now (the manager sees to it); a last guard for
    /// the base's own members.
    ~Task() override;

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

protected:
    /// The work, on a worker thread. Throw to fail (the message reaches the user);
    /// return early when isCanceled() is true.
    virtual void run() = 0;
    /// Thread-safe; may be called from run().
    void setProgress(double fraction, const QString& text);
    /// Before the task starts (a constructor says what it does).
    void setDescription(QString description) { m_description = std::move(description); }

private:
    friend class TaskManager;
    /// Starts run() on the global thread pool; `done` follows on the GUI thread
    /// once run() has returned. A task runs once.
    void start(std::function<void(Outcome)> done);
    void execute();
    void onWorkerDone();

    std::function<void(Outcome)> m_done;

    QString m_description;
    QFutureWatcher<void> m_watcher;
    std::atomic<bool> m_canceled{false};
    bool m_running = false;
    Outcome m_outcome = Outcome::Succeeded;
    QString m_error;  // written by the worker before it ends, read after
};

}  // namespace flowseg::ui
