#include "flowseg/render/report_writer.h"

#include <QAbstractTextDocumentLayout>
#include <QFileInfo>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QTextDocument>
#include <QUrl>

#include <set>
#include <stdexcept>

#include "flowseg/engine/solver.h"
#include "flowseg/render/report_images.h"

namespace flowseg::render {

namespace {

QString esc(const std::string& text) { return QString::fromStdString(text).toHtmlEscaped(); }
QString mm(double v) { return QString::number(v, 'f', 1); }
QString range(const std::optional<review::Range>& r) {
    return r ? QStringLiteral("%1 – %2").arg(mm(r->min), mm(r->max)) : QStringLiteral("—");
}

const char* kUncertaintyNote =
    "<p><b>What the uncertainty shows.</b> For each lesion the model drew many plausible outlines "
    "(samples) from "
    "the same image. Where they agree, the image leaves little doubt about the boundary; where "
    "they differ, the "
    "heatmap is bright: the image itself is ambiguous there, as it is for experts, who also "
    "disagree on such "
    "boundaries (aleatoric uncertainty). <b>What it does not show:</b> how far this case lies from "
    "what the model "
    "learned (epistemic uncertainty). A scanner, protocol or kind of lesion unlike the training "
    "data can give "
    "samples that agree with each other and are still wrong. The samples support a radiologist's "
    "reading; they do "
    "not replace it.</p>";

QString measuresTable(const review::StudyReport& report, const review::ReportLesion& r) {
    const QString unit = report.spacing.nominal ? QStringLiteral(" (nominal)") : QString();
    QString html =
        QStringLiteral(
            "<table border=\"1\" cellspacing=\"0\" cellpadding=\"3\" width=\"100%\">"
            "<tr><th>Outline</th><th>Slice</th><th>Longest diameter (mm%1)</th>"
            "<th>Perpendicular (mm%1)</th><th>Area (mm²%1)</th><th>Volume (mm³%1)</th></tr>")
            .arg(unit);
    for (const auto& m : r.agreement.measures)
        for (const auto& [slice, o] : m.slices)
            html +=
                QStringLiteral(
                    "<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td><td>%5</td><td>%6</td></tr>")
                    .arg(esc(m.expert))
                    .arg(slice + 1)
                    .arg(mm(o.longest.mm), mm(o.perpendicular.mm), mm(o.areaMm2),
                         m.volumeMm3 ? mm(*m.volumeMm3) : QStringLiteral("—"));
    if (r.result && r.nodule && !r.result->slices.empty()) {
        // Through the nodule: each sample's true volume and its diameters where they
        // are largest, as median and 5-95 % range over the samples.
        const auto spread = [](const review::Spread& v) {
            return QStringLiteral("%1 (%2 – %3)").arg(mm(v.median), mm(v.low), mm(v.high));
        };
        html += QStringLiteral(
                    "<tr><td><i>samples through the nodule (median and 5–95 % over %1)</i></td>"
                    "<td>%2–%3</td><td>%4</td><td>%5</td><td>%6 (key slice)</td><td>%7</td></tr>")
                    .arg(r.result->result.masks.size())
                    .arg(r.result->slices.front().crop.slice + 1)
                    .arg(r.result->slices.back().crop.slice + 1)
                    .arg(spread(r.nodule->longestMm), spread(r.nodule->perpendicularMm),
                         range(r.agreement.sampleArea), spread(r.nodule->volumeMm3));
    } else if (r.result) {
        html += QStringLiteral(
                    "<tr><td><i>samples (range over "
                    "%1; key slice only)</i></td><td>%2</td><td>%3</td><td>%4</td><td>%5</td>"
                    "<td>— (one slice: %6 mm³ probability-weighted on it)</td></tr>")
                    .arg(r.result->result.masks.size())
                    .arg(r.result->crop.slice + 1)
                    .arg(range(r.agreement.sampleLongest), range(r.agreement.samplePerpendicular),
                         range(r.agreement.sampleArea), mm(r.probabilityWeightedVolumeMm3));
    }
    return html + QStringLiteral("</table>");
}

QString agreementTable(const review::ReportLesion& r) {
    const auto& a = r.agreement;
    QString html = QStringLiteral("<p>");
    html += a.gedExpertsVsSamples
                ? QStringLiteral(
                      "GED between the experts' and the samples' outlines: <b>%1</b> "
                      "(%2). ")
                      .arg(*a.gedExpertsVsSamples, 0, 'f', 3)
                      .arg(a.gedSlices > 1
                               ? QStringLiteral("over the volume, %1 slices").arg(a.gedSlices)
                               : QStringLiteral("on one slice"))
                : QStringLiteral("No GED: the lesion has no expert outline or no samples. ");
    if (r.result)
        html += QStringLiteral("Uncertainty mass Σ p(1 − p): <b>%1</b> px.")
                    .arg(a.uncertaintyMass, 0, 'f', 1);
    html += QStringLiteral("</p>");
    if (a.pairs.empty())
        return html +
               QStringLiteral("<p>Fewer than two experts outlined it: no pairwise agreement.</p>");
    html += QStringLiteral(
        "<table border=\"1\" cellspacing=\"0\" cellpadding=\"3\"><tr><th>Expert</th><th>Expert</th>"
        "<th>Dice</th><th>IoU</th></tr>");
    for (const auto& p : a.pairs)
        html += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td></tr>")
                    .arg(esc(a.experts[p.first]), esc(a.experts[p.second]))
                    .arg(p.dice, 0, 'f', 3)
                    .arg(p.iou, 0, 'f', 3);
    return html + QStringLiteral("</table>");
}

QString traceability(const review::ReportLesion& r) {
    if (!r.run)
        return QStringLiteral("<p><i>Not sampled: no model output for this lesion.</i></p>");
    const auto& run = *r.run;
    QString reproduced =
        r.reproduced
            ? (*r.reproduced ? QStringLiteral("yes, bit for bit")
                             : QStringLiteral("<b>no</b>: the masks differ from the stored ones"))
            : QStringLiteral("not checked (%1)").arg(esc(r.resampleNote));
    return QStringLiteral(
               "<p><small>Run %1 of %2: model %3, checksum %4; %5 %6 steps, w %7, M %8, seed %9, "
               "on %10. "
               "Re-run with the same model, settings and seed reproduces it: %11.</small></p>")
        .arg(run.id)
        .arg(esc(run.createdAt))
        .arg(r.model ? esc(r.model->path) : QStringLiteral("(unknown)"),
             r.model ? esc(r.model->sha256) : QStringLiteral("(unknown)"), esc(run.solver))
        .arg(run.steps)
        .arg(run.guidance)
        .arg(run.samples)
        .arg(run.seed)
        .arg(esc(run.device), reproduced);
}

}  // namespace

void writeReportPdf(const review::StudyReport& report, const dicom::Series& series,
                    const std::string& path, const std::function<void(double)>& progress) {
    QPdfWriter writer(QString::fromStdString(path));
    if (!QFileInfo(QFileInfo(QString::fromStdString(path)).absolutePath()).isWritable())
        throw std::runtime_error("cannot write the report '" + path +
                                 "': its folder is not writable");
    writer.setPageSize(QPageSize(QPageSize::A4));
    writer.setResolution(300);
    writer.setPageMargins(QMarginsF(15, 15, 15, 12), QPageLayout::Millimeter);
    writer.setTitle(QStringLiteral("FlowSeg Review uncertainty report"));
    writer.setCreator(
        QStringLiteral("FlowSeg Review %1").arg(QString::fromStdString(report.appVersion)));

    QTextDocument doc;
    doc.documentLayout()->setPaintDevice(&writer);
    QFont font(QStringLiteral("DejaVu Sans"), 9);
    // No ligatures: "ff" and "fi" must stay two letters for search, copy and screen
    // readers (a checksum's "ff" would come out as one glyph): Latin text needs no
    // shaping, so none is done.
    font.setStyleStrategy(QFont::PreferNoShaping);
    doc.setDefaultFont(font);
    const auto& s = report.study;
    QString html = QStringLiteral("<h1>Uncertainty report</h1>");
    html += QStringLiteral(
                "<table cellpadding=\"2\"><tr><td><b>Patient</b></td><td>%1 (%2)%3</td></tr>"
                "<tr><td><b>Study</b></td><td>%4 %5</td></tr><tr><td><b>Study "
                "UID</b></td><td>%6</td></tr>"
                "<tr><td><b>Report created</b></td><td>%7 by FlowSeg Review %8</td></tr>"
                "<tr><td><b>Reviewers</b></td><td>%9</td></tr></table>")
                .arg(esc(s.patientName), esc(s.patientId),
                     report.deidentified ? QStringLiteral(" — de-identified (DICOM basic profile)")
                                         : QString(),
                     esc(s.studyDate), esc(s.description), esc(s.studyUid), esc(report.createdAt),
                     esc(report.appVersion))
                .arg(report.reviewers.empty() ? QStringLiteral("none yet") : esc([&] {
                    std::string names;
                    for (const auto& n : report.reviewers) names += (names.empty() ? "" : ", ") + n;
                    return names;
                }()));
    html += QStringLiteral(
        "<h2>Lesions</h2><table border=\"1\" cellspacing=\"0\" cellpadding=\"3\" width=\"100%\">"
        "<tr><th>Lesion</th><th>State</th><th>Slices</th><th>Experts</th><th>Longest diameter, "
        "experts (mm)</th><th>Longest, samples (mm)</th><th>GED</th><th>Uncertainty mass "
        "(px)</th></tr>");
    for (const auto& r : report.lesions) {
        std::vector<double> longest;
        for (const auto& m : r.agreement.measures)
            for (const auto& [slice, o] : m.slices) longest.push_back(o.longest.mm);
        html += QStringLiteral(
                    "<tr><td>%1 — "
                    "%2</td><td>%3</td><td>%4–%5</td><td>%6</td><td>%7</td><td>%8</td><td>%9</td>"
                    "<td>%10</td></tr>")
                    .arg(r.lesion.id)
                    .arg(esc(r.lesion.label), esc(db::displayName(r.lesion.state)))
                    .arg(r.lesion.firstSlice + 1)
                    .arg(r.lesion.lastSlice + 1)
                    .arg(r.agreement.experts.size())
                    .arg(longest.empty() ? QStringLiteral("—") : range(review::rangeOf(longest)),
                         range(r.agreement.sampleLongest),
                         r.agreement.gedExpertsVsSamples
                             ? QString::number(*r.agreement.gedExpertsVsSamples, 'f', 3)
                             : QStringLiteral("—"),
                         r.result ? QString::number(r.agreement.uncertaintyMass, 'f', 1)
                                  : QStringLiteral("—"));
    }
    html += QStringLiteral("</table>") + QString::fromLatin1(kUncertaintyNote);
    if (report.spacing.nominal)
        html += QStringLiteral(
            "<p><b>Millimetres are nominal:</b> the series gives no pixel spacing; 1 mm per pixel "
            "is assumed.</p>");
    for (const auto& caution : report.modelCautions)
        html += QStringLiteral("<p><b>Caution — outside what the model learnt from:</b> %1</p>")
                    .arg(esc(caution));

    const auto addImage = [&doc](const QString& name, const QImage& image) {
        doc.addResource(QTextDocument::ImageResource, QUrl(name), image);
    };
    // Image sizes in HTML are in 96-dpi pixels, which the layout scales to the writer's resolution.
    const double bodyWidth96 = writer.width() * 96.0 / writer.resolution();
    const auto width = [bodyWidth96](const QImage&, double fraction) {
        return QStringLiteral("width=\"%1\"").arg(static_cast<int>(fraction * bodyWidth96));
    };
    for (size_t i = 0; i < report.lesions.size(); ++i) {
        const auto& r = report.lesions[i];
        const auto region = report::lesionRegion(r, series);
        const auto key = QStringLiteral("lesion%1").arg(r.lesion.id);
        html += QStringLiteral("<div style=\"page-break-before: always\"><h2>Lesion %1 — %2</h2>")
                    .arg(r.lesion.id)
                    .arg(esc(r.lesion.label));
        QString states;
        for (const auto* layer : r.outlines.layers())
            states += QStringLiteral("%1%2 (%3, %4)")
                          .arg(states.isEmpty() ? QString() : QStringLiteral("; "),
                               esc(layer->expert.name), esc(layer->expert.role),
                               esc(db::displayName(layer->state)));
        html += QStringLiteral("<p>Review state: <b>%1</b>. Experts: %2.</p>")
                    .arg(esc(db::displayName(r.lesion.state)),
                         states.isEmpty() ? QStringLiteral("none") : states);
        const auto outlines = report::outlinesImage(r, series, region);
        const auto heat = report::heatmapImage(r, series, region);
        addImage(key + "-outlines", outlines);
        addImage(key + "-heat", heat);
        html += QStringLiteral(
                    "<table><tr><td><img src=\"%1-outlines\" %2/><br/>The experts' outlines "
                    "(colours) and the "
                    "samples' (cyan), slice %3.</td><td><img src=\"%1-heat\" %4/><br/>Where the "
                    "samples "
                    "disagree: p(1 − p).</td></tr></table>")
                    .arg(key, width(outlines, 0.40))
                    .arg((r.result ? r.result->crop.slice : r.lesion.firstSlice) + 1)
                    .arg(width(heat, 0.40));
        if (const auto gallery = report::galleryImage(r, series, region); !gallery.isNull()) {
            addImage(key + "-gallery", gallery);
            html += QStringLiteral(
                        "<p><b>The samples</b>, cropped to the lesion:<br/><img src=\"%1-gallery\" "
                        "%2/></p>")
                        .arg(key, width(gallery, 0.62));
        }
        if (const auto strip = report::trajectoryStrip(r, series, region); !strip.isNull()) {
            addImage(key + "-trajectory", strip);
            html += QStringLiteral(
                        "<p><b>From noise to masks</b> (the mean state of the samples along the "
                        "ODE):<br/>"
                        "<img src=\"%1-trajectory\" %2/></p>")
                        .arg(key, width(strip, 0.9));
        }
        html += QStringLiteral("<h3>Measures</h3>") + measuresTable(report, r);
        html += QStringLiteral("<h3>Agreement</h3>") + agreementTable(r) + traceability(r) +
                QStringLiteral("</div>");
        if (progress)
            progress(0.8 * static_cast<double>(i + 1) / static_cast<double>(report.lesions.size()));
    }
    doc.setHtml(html);

    // The traceability footer of every page.
    std::set<std::string> models, settings;
    for (const auto& r : report.lesions) {
        if (r.model) models.insert(r.model->sha256.substr(0, 16));
        if (r.run)
            settings.insert(r.run->solver + " " + std::to_string(r.run->steps) + " steps, w " +
                            QString::number(r.run->guidance).toStdString() + ", M " +
                            std::to_string(r.run->samples) + ", seed " +
                            std::to_string(r.run->seed));
    }
    const auto join = [](const std::set<std::string>& items, const char* none) {
        std::string out;
        for (const auto& i : items) out += (out.empty() ? "" : "; ") + i;
        return QString::fromStdString(out.empty() ? none : out);
    };
    const QString footer = QStringLiteral("FlowSeg Review %1 · model %2 · %3")
                               .arg(QString::fromStdString(report.appVersion), join(models, "none"),
                                    join(settings, "not sampled"));

    QPainter painter;
    if (!painter.begin(&writer)) throw std::runtime_error("cannot write the report '" + path + "'");
    const QRectF page(0, 0, writer.width(), writer.height());
    const double footerHeight = 90;  // device pixels at 300 dpi: about 7.6 mm
    const QSizeF body(page.width(), page.height() - footerHeight);
    doc.setPageSize(body);
    const int pages = doc.pageCount();
    QFont small(font);
    small.setPointSizeF(7);
    for (int p = 0; p < pages; ++p) {
        if (p > 0) writer.newPage();
        painter.save();
        painter.translate(0, -p * body.height());
        QAbstractTextDocumentLayout::PaintContext context;
        context.clip = QRectF(0, p * body.height(), body.width(), body.height());
        painter.setClipRect(
            context.clip);  // a table cut by the page break stops at the page's body
        doc.documentLayout()->draw(&painter, context);
        painter.restore();
        painter.setFont(small);
        painter.setPen(Qt::darkGray);
        painter.drawText(QRectF(0, body.height() + 20, body.width(), footerHeight - 20),
                         Qt::AlignLeft | Qt::TextWordWrap,
                         footer + QStringLiteral(" · page %1 of %2").arg(p + 1).arg(pages));
        if (progress) progress(0.8 + 0.2 * (p + 1) / pages);
    }
    if (!painter.end()) throw std::runtime_error("cannot finish the report '" + path + "'");
}

}  // namespace flowseg::render
