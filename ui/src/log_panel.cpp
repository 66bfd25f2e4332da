#include "flowseg/ui/log_panel.h"

#include <QMetaObject>
#include <QPointer>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <mutex>

namespace flowseg::ui {

namespace {

class PanelSink : public spdlog::sinks::base_sink<std::mutex> {
public:
    void setPanel(LogPanel* panel) {
        const std::lock_guard lock(mutex_);
        m_panel = panel;
    }

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        if (!m_panel) return;
        spdlog::memory_buf_t formatted;
        formatter_->format(msg, formatted);
        auto line =
            QString::fromUtf8(formatted.data(), static_cast<int>(formatted.size())).trimmed();
        QMetaObject::invokeMethod(m_panel.data(), "appendLine", Qt::QueuedConnection,
                                  Q_ARG(QString, line));
    }
    void flush_() override {}

private:
    QPointer<LogPanel> m_panel;
};

struct Sinks {
    std::shared_ptr<spdlog::sinks::dist_sink_mt> all =
        std::make_shared<spdlog::sinks::dist_sink_mt>();
    std::shared_ptr<PanelSink> panel = std::make_shared<PanelSink>();
    Sinks() {
        all->add_sink(std::make_shared<spdlog::sinks::stderr_sink_mt>());
        all->add_sink(panel);
        all->set_pattern("%H:%M:%S.%e %-8n %-5l %v");
    }
};

Sinks& sinks() {
    static Sinks instance;
    return instance;
}

}  // namespace

LogPanel::LogPanel(QWidget* parent) : QPlainTextEdit(parent) {
    setReadOnly(true);
    setMaximumBlockCount(5000);
    setAccessibleName(tr("Log"));
}

LogPanel::~LogPanel() = default;

void LogPanel::appendLine(const QString& line) { appendPlainText(line); }

std::shared_ptr<spdlog::logger> logger(const std::string& area) {
    static std::mutex mutex;
    const std::lock_guard lock(mutex);
    if (auto existing = spdlog::get(area)) return existing;
    auto created = std::make_shared<spdlog::logger>(area, sinks().all);
    created->set_level(spdlog::level::info);
    created->flush_on(spdlog::level::warn);
    spdlog::register_logger(created);
    return created;
}

void attachLogPanel(LogPanel* panel) { sinks().panel->setPanel(panel); }

void setLogFile(const std::string& path) {
    try {
        std::filesystem::create_directories(std::filesystem::path(path).parent_path());
        auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path);
        file->set_pattern("%Y-%m-%d %H:%M:%S.%e %-8n %-5l %v");
        sinks().all->add_sink(file);
    } catch (const std::exception& e) {
        logger("ui")->warn("cannot write the log file '{}': {}", path, e.what());
    }
}

}  // namespace flowseg::ui
