#pragma once
// One golden-image check for every rendering test (overlays, the report's
// pictures), with a tolerance as Krita tests its rendering: a picture matches
// its golden PNG when at most 0.2 % of its pixels differ by more than 3 in any
// channel. FLOWSEG_UPDATE_GOLDEN=1 rewrites the goldens after an intended
// change; look at them before committing.

#include <QDir>
#include <QImage>
#include <QString>

#include <algorithm>
#include <cstdlib>

namespace flowseg::test {

struct ImageDifference {
    double fractionOff = 0;  ///< pixels with any channel off by more than the tolerance
    int largest = 0;
};

inline ImageDifference compareImages(const QImage& a, const QImage& b, int tolerance) {
    ImageDifference d;
    if (a.size() != b.size()) return {1.0, 255};
    const QImage x = a.convertToFormat(QImage::Format_RGB32);
    const QImage y = b.convertToFormat(QImage::Format_RGB32);
    long off = 0;
    for (int row = 0; row < x.height(); ++row) {
        const auto* p = reinterpret_cast<const QRgb*>(x.constScanLine(row));
        const auto* q = reinterpret_cast<const QRgb*>(y.constScanLine(row));
        for (int col = 0; col < x.width(); ++col) {
            const int diff = std::max({std::abs(qRed(p[col]) - qRed(q[col])),
                                       std::abs(qGreen(p[col]) - qGreen(q[col])),
                                       std::abs(qBlue(p[col]) - qBlue(q[col]))});
            d.largest = std::max(d.largest, diff);
            if (diff > tolerance) ++off;
        }
    }
    d.fractionOff = static_cast<double>(off) / (x.width() * x.height());
    return d;
}

/// "" when `rendered` matches `goldenDir/name`, else what differs (the picture is
/// then saved as actual-<name> in the temporary folder). Use:
///   const auto mismatch = goldenMismatch(DIR, "x.png", image);
///   QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
inline QString goldenMismatch(const QString& goldenDir, const QString& name,
                              const QImage& rendered) {
    constexpr int kTolerance = 3;
    constexpr double kFractionAllowed = 0.002;
    const QString path = QDir(goldenDir).filePath(name);
    if (qEnvironmentVariableIsSet("FLOWSEG_UPDATE_GOLDEN")) {
        if (!rendered.save(path)) return QStringLiteral("cannot write the golden ") + path;
        qInfo("wrote %s", qPrintable(path));
    }
    const QImage golden(path);
    if (golden.isNull())
        return QStringLiteral("missing golden %1 (FLOWSEG_UPDATE_GOLDEN=1 writes it)").arg(path);
    const auto d = compareImages(rendered, golden, kTolerance);
    if (d.fractionOff <= kFractionAllowed) return {};
    const QString actual = QDir::temp().filePath(QStringLiteral("actual-") + name);
    rendered.save(actual);
    return QStringLiteral(
               "%1: %2 % of pixels differ by more than %3 (largest %4); actual saved "
               "to %5")
        .arg(name)
        .arg(d.fractionOff * 100, 0, 'f', 3)
        .arg(kTolerance)
        .arg(d.largest)
        .arg(actual);
}

}  // namespace flowseg::test
