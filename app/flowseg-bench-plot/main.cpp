// flowseg-bench-plot: draws `flowseg bench --json` output as a PNG — GED and
// seconds per case against network passes per case, one line per solver, the
// paper setting's GED with its parity band, and the cheapest setting at parity.
//
//   flowseg bench --model models/default.fsm --eval-data test64 --json > sweep.json
//   flowseg-bench-plot sweep.json docs/solver-sweep.png

#include <QFile>
#include <QFont>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "flowseg/engine/parity.h"

namespace {

struct Point {
    std::string name;
    std::string solver;
    double passes = 0;
    double seconds = 0;
    std::optional<double> ged;
};

struct Sweep {
    std::vector<Point> points;
    std::optional<std::string> paper;
    std::optional<std::string> cheapest;
    double tolerance = flowseg::engine::kGedParity;
    std::string caption;
};

std::optional<std::string> optionalString(const nlohmann::json& j, const char* key) {
    if (j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
    return std::nullopt;
}

Sweep readSweep(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw std::runtime_error("cannot read '" + path.toStdString() + "'");
    const auto text = file.readAll().toStdString();
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error("'" + path.toStdString() +
                                 "' is not JSON from `flowseg bench --json`: " + e.what());
    }
    if (!j.contains("settings") || !j["settings"].is_array() || j["settings"].empty())
        throw std::runtime_error("'" + path.toStdString() +
                                 "' has no \"settings\" (is it `flowseg bench --json` output?)");
    Sweep s;
    for (const auto& r : j["settings"]) {
        Point p;
        p.name = r.at("name").get<std::string>();
        p.solver = r.at("solver").get<std::string>();
        p.passes = r.at("passes_per_case").get<double>();
        p.seconds = r.at("seconds_per_case").get<double>();
        if (r.contains("ged") && r["ged"].is_number()) p.ged = r["ged"].get<double>();
        if (p.passes <= 0 || p.seconds <= 0)
            throw std::runtime_error("setting '" + p.name + "' has no positive passes or seconds");
        s.points.push_back(p);
    }
    s.paper = optionalString(j, "paper");
    if (j.contains("parity") && j["parity"].is_object())
        s.tolerance = j["parity"].value("tolerance", flowseg::engine::kGedParity);
    // The rows are the measurement; the verdict is derived, so it is recomputed
    // with this build's rule (the same as bench's) rather than read back: a sweep
    // measured before a rule change still plots what the rule says now.
    if (s.paper)
        s.cheapest = flowseg::engine::cheapestAtParity(j["settings"], *s.paper, s.tolerance);
    const auto model = j.contains("model") ? j["model"] : nlohmann::json::object();
    char caption[512];
    std::snprintf(
        caption, sizeof caption, "%s, %d px, M %d | %s, %d threads, BLAS %s, matmul %.0f GFLOP/s",
        model.value("source", std::string("?")).c_str(), model.value("image_size", 0),
        j.value("samples", 0), j.value("device", std::string("?")).c_str(), j.value("threads", 0),
        j.value("blas", std::string("?")).c_str(), j.value("matmul_gflops", 0.0));
    s.caption = caption;
    return s;
}

QColor solverColour(const std::string& solver) {
    static const std::map<std::string, QColor> colours{{"euler", QColor(0x1f, 0x77, 0xb4)},
                                                       {"midpoint", QColor(0xd6, 0x27, 0x28)},
                                                       {"heun", QColor(0x2c, 0xa0, 0x2c)},
                                                       {"rk4", QColor(0x94, 0x67, 0xbd)},
                                                       {"dopri5", QColor(0xff, 0x7f, 0x0e)}};
    const auto it = colours.find(solver);
    return it == colours.end() ? QColor(Qt::darkGray) : it->second;
}

// One panel: x = network passes per case (log), y = `value` (log or linear).
struct Panel {
    QRectF area;
    double xMin, xMax, yMin, yMax;
    bool logY;
    double x(double passes) const {
        return area.left() + area.width() * (std::log10(passes) - std::log10(xMin)) /
                                 (std::log10(xMax) - std::log10(xMin));
    }
    double y(double v) const {
        const double f =
            logY ? (std::log10(v) - std::log10(yMin)) / (std::log10(yMax) - std::log10(yMin))
                 : (v - yMin) / (yMax - yMin);
        return area.bottom() - area.height() * f;
    }
};

std::vector<double> decadeTicks(double lo, double hi) {
    std::vector<double> ticks;
    for (double decade = std::pow(10.0, std::floor(std::log10(lo))); decade <= hi * 1.0001;
         decade *= 10)
        for (double m : {1.0, 2.0, 5.0})
            if (decade * m >= lo * 0.9999 && decade * m <= hi * 1.0001) ticks.push_back(decade * m);
    return ticks;
}

std::vector<double> linearTicks(double lo, double hi) {
    const double raw = (hi - lo) / 6;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (magnitude * m >= raw) {
            step = magnitude * m;
            break;
        }
    std::vector<double> ticks;
    for (double v = std::ceil(lo / step) * step; v <= hi + 1e-12; v += step) ticks.push_back(v);
    return ticks;
}

QString number(double v) {
    if (v >= 100) return QString::number(v, 'f', 0);
    if (v >= 1) return QString::number(v, 'g', 3);
    return QString::number(v, 'g', 2);
}

// Linear ticks are printed with the decimals their spacing needs (0.005 -> 3).
QString linearLabel(double v, const std::vector<double>& ticks) {
    const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1.0;
    const int decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
    return QString::number(v, 'f', decimals);
}

void drawAxes(QPainter& p, const Panel& panel, const QString& title, const QString& yLabel) {
    p.setPen(QPen(QColor(0xdd, 0xdd, 0xdd), 1));
    const auto xTicks = decadeTicks(panel.xMin, panel.xMax);
    const auto yTicks =
        panel.logY ? decadeTicks(panel.yMin, panel.yMax) : linearTicks(panel.yMin, panel.yMax);
    for (double t : xTicks)
        p.drawLine(QPointF(panel.x(t), panel.area.top()), QPointF(panel.x(t), panel.area.bottom()));
    for (double t : yTicks)
        p.drawLine(QPointF(panel.area.left(), panel.y(t)), QPointF(panel.area.right(), panel.y(t)));
    p.setPen(QPen(Qt::black, 1.2));
    p.setBrush(Qt::NoBrush);
    p.drawRect(panel.area);
    QFont small = p.font();
    small.setPointSizeF(9);
    p.setFont(small);
    for (double t : xTicks)
        p.drawText(QRectF(panel.x(t) - 30, panel.area.bottom() + 4, 60, 16),
                   Qt::AlignHCenter | Qt::AlignTop, number(t));
    for (double t : yTicks)
        p.drawText(QRectF(panel.area.left() - 64, panel.y(t) - 8, 58, 16),
                   Qt::AlignRight | Qt::AlignVCenter,
                   panel.logY ? number(t) : linearLabel(t, yTicks));
    p.drawText(QRectF(panel.area.left(), panel.area.bottom() + 22, panel.area.width(), 18),
               Qt::AlignHCenter, "network passes per case (log)");
    p.save();
    p.translate(panel.area.left() - 74, panel.area.center().y());
    p.rotate(-90);
    p.drawText(QRectF(-panel.area.height() / 2, -16, panel.area.height(), 18), Qt::AlignHCenter,
               yLabel);
    p.restore();
    QFont bold = small;
    bold.setBold(true);
    bold.setPointSizeF(11);
    p.setFont(bold);
    p.drawText(QRectF(panel.area.left(), panel.area.top() - 26, panel.area.width(), 20),
               Qt::AlignHCenter, title);
    p.setFont(small);
}

void drawSeries(QPainter& p, const Panel& panel, const std::vector<Point>& points,
                const Sweep& sweep,
                const std::function<std::optional<double>(const Point&)>& value) {
    std::map<std::string, std::vector<const Point*>> bySolver;
    for (const auto& pt : points)
        if (value(pt)) bySolver[pt.solver].push_back(&pt);
    p.setRenderHint(QPainter::Antialiasing, true);
    for (auto& [solver, list] : bySolver) {
        std::sort(list.begin(), list.end(),
                  [](const Point* a, const Point* b) { return a->passes < b->passes; });
        const QColor colour = solverColour(solver);
        QPainterPath line;
        for (size_t i = 0; i < list.size(); ++i) {
            const QPointF at(panel.x(list[i]->passes), panel.y(*value(*list[i])));
            if (i == 0)
                line.moveTo(at);
            else
                line.lineTo(at);
        }
        p.setPen(QPen(colour, 1.6));
        p.setBrush(Qt::NoBrush);
        p.drawPath(line);
        for (const auto* pt : list) {
            const QPointF at(panel.x(pt->passes), panel.y(*value(*pt)));
            const bool isPaper = sweep.paper && pt->name == *sweep.paper;
            const bool isCheapest = sweep.cheapest && pt->name == *sweep.cheapest;
            p.setPen(QPen(colour.darker(130), 1));
            p.setBrush(colour);
            if (isPaper)
                p.drawRect(QRectF(at.x() - 5, at.y() - 5, 10, 10));
            else
                p.drawEllipse(at, 3.5, 3.5);
            if (isCheapest) {
                p.setPen(QPen(Qt::black, 2));
                p.setBrush(Qt::NoBrush);
                p.drawEllipse(at, 9, 9);
            }
            if (isPaper || isCheapest) {
                const auto label = QString::fromStdString(
                    isPaper
                        ? (pt->name == "paper" ? std::string("paper") : "paper (" + pt->name + ")")
                        : pt->name + " (cheapest at parity)");
                const double textWidth = p.fontMetrics().horizontalAdvance(label);
                // Right of the point unless that runs out of the panel.
                const double left = at.x() + 11 + textWidth > panel.area.right()
                                        ? at.x() - 11 - textWidth
                                        : at.x() + 11;
                p.setPen(Qt::black);
                p.drawText(QPointF(left, at.y() - 8), label);
            }
        }
    }
}

void render(const Sweep& s, const QString& outPath) {
    constexpr int width = 1400, height = 640;
    QImage image(width, height, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter p(&image);
    QFont font = p.font();
    font.setPointSizeF(9);
    p.setFont(font);

    double xMin = 1e300, xMax = 0, sMin = 1e300, sMax = 0, gMin = 1e300, gMax = -1e300;
    std::optional<double> paperGed;
    for (const auto& pt : s.points) {
        xMin = std::min(xMin, pt.passes);
        xMax = std::max(xMax, pt.passes);
        sMin = std::min(sMin, pt.seconds);
        sMax = std::max(sMax, pt.seconds);
        if (pt.ged) {
            gMin = std::min(gMin, *pt.ged);
            gMax = std::max(gMax, *pt.ged);
        }
        if (s.paper && pt.name == *s.paper) paperGed = pt.ged;
    }
    const bool haveGed = gMax >= gMin;
    if (paperGed) {
        gMin = std::min(gMin, *paperGed - s.tolerance);
        gMax = std::max(gMax, *paperGed + s.tolerance);
    }
    const double gPad = haveGed ? std::max(0.005, 0.08 * (gMax - gMin)) : 0;
    const Panel timePanel{QRectF(width / 2.0 + 100, 60, width / 2.0 - 140, height - 150),
                          xMin / 1.3,
                          xMax * 1.3,
                          sMin / 1.3,
                          sMax * 1.3,
                          true};
    if (haveGed) {
        const Panel gedPanel{QRectF(100, 60, width / 2.0 - 140, height - 150),
                             xMin / 1.3,
                             xMax * 1.3,
                             gMin - gPad,
                             gMax + gPad,
                             false};
        drawAxes(p, gedPanel, "GED vs cost (lower is better)", "GED on the evaluation set");
        if (paperGed) {
            const double top = gedPanel.y(*paperGed + s.tolerance),
                         bottom = gedPanel.y(*paperGed - s.tolerance);
            p.fillRect(QRectF(gedPanel.area.left(), top, gedPanel.area.width(), bottom - top),
                       QColor(0, 0, 0, 22));
            p.setPen(QPen(Qt::black, 1, Qt::DashLine));
            p.drawLine(QPointF(gedPanel.area.left(), gedPanel.y(*paperGed)),
                       QPointF(gedPanel.area.right(), gedPanel.y(*paperGed)));
            p.drawText(QPointF(gedPanel.area.left() + 6, top - 4),
                       QString("paper GED %1 \u00b1 %2 (parity band)")
                           .arg(*paperGed, 0, 'f', 4)
                           .arg(s.tolerance));
        }
        drawSeries(p, gedPanel, s.points, s, [](const Point& pt) { return pt.ged; });
    } else {
        p.drawText(QRectF(100, 60, width / 2.0 - 140, height - 150), Qt::AlignCenter,
                   "no GED in this run (bench without --eval-data / --eval-synthetic)");
    }
    drawAxes(p, timePanel, "Seconds per case vs cost", "seconds per case (log)");
    drawSeries(p, timePanel, s.points, s,
               [](const Point& pt) { return std::optional<double>(pt.seconds); });

    // Legend and caption.
    double lx = 100;
    const double ly = height - 40;
    std::vector<std::string> solvers;
    for (const auto& pt : s.points)
        if (std::find(solvers.begin(), solvers.end(), pt.solver) == solvers.end())
            solvers.push_back(pt.solver);
    for (const auto& solver : solvers) {
        p.setPen(Qt::NoPen);
        p.setBrush(solverColour(solver));
        p.drawEllipse(QPointF(lx, ly), 5, 5);
        p.setPen(Qt::black);
        p.drawText(QPointF(lx + 10, ly + 4), QString::fromStdString(solver));
        lx += 90;
    }
    p.drawText(QPointF(lx + 20, ly + 4),
               "square: paper setting; ring: cheapest within the parity band");
    p.setPen(QColor(0x55, 0x55, 0x55));
    p.drawText(QRectF(0, height - 22, width, 18), Qt::AlignHCenter,
               QString::fromStdString(s.caption));
    p.end();
    if (!image.save(outPath, "PNG"))
        throw std::runtime_error("cannot write '" + outPath.toStdString() + "'");
}

}  // namespace

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    const auto args = QGuiApplication::arguments();
    if (args.size() != 3 || args[1] == "--help" || args[1] == "-h") {
        std::fprintf(stderr,
                     "usage: flowseg-bench-plot BENCH.json OUT.png\n"
                     "  BENCH.json: the output of `flowseg bench --json` (with --eval-data for the "
                     "GED panel)\n");
        return args.size() == 2 && (args[1] == "--help" || args[1] == "-h") ? 0 : 2;
    }
    try {
        const auto sweep = readSweep(args[1]);
        render(sweep, args[2]);
        std::printf("wrote %s (%zu settings)\n", args[2].toStdString().c_str(),
                    sweep.points.size());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "flowseg-bench-plot: %s\n", e.what());
        return 1;
    }
    return 0;
}
