#include "flowseg/imaging/image_io.h"

#include <fcntl.h>
#include <unistd.h>
#include <algorithm>
#include <filesystem>
#include <mutex>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace flowseg::imaging {

namespace {

// libpng reports decode errors on stderr before OpenCV returns an empty image; the
// user gets our one-line message instead, so silence that duplicate for the call.
// stderr is one per process and folders are decoded on several threads: the first
// reader in silences it, the last one out restores it.
class StderrSilencer {
public:
    StderrSilencer() {
        const std::lock_guard lock(mutex());
        if (state().readers++ > 0) return;
        state().saved = ::dup(STDERR_FILENO);
        const int devNull = ::open("/dev/null", O_WRONLY);
        if (devNull >= 0) {
            ::dup2(devNull, STDERR_FILENO);
            ::close(devNull);
        }
    }
    ~StderrSilencer() {
        const std::lock_guard lock(mutex());
        if (--state().readers > 0 || state().saved < 0) return;
        ::dup2(state().saved, STDERR_FILENO);
        ::close(state().saved);
        state().saved = -1;
    }
    StderrSilencer(const StderrSilencer&) = delete;
    StderrSilencer& operator=(const StderrSilencer&) = delete;

private:
    struct State {
        int readers = 0;
        int saved = -1;
    };
    static std::mutex& mutex() {
        static std::mutex m;
        return m;
    }
    static State& state() {
        static State s;
        return s;
    }
};

cv::Mat readGrayMat(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw ImageIoError("cannot read image '" + path + "': no such file");
    cv::Mat raw;
    try {
        const StderrSilencer quiet;
        raw = cv::imread(path, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception& e) {
        throw ImageIoError("cannot read image '" + path + "': " + e.what());
    }
    if (raw.empty())
        throw ImageIoError("cannot read image '" + path +
                           "': not a readable PNG, JPEG or TIFF file (corrupt or unsupported)");
    if (raw.depth() != CV_8U && raw.depth() != CV_16U)
        throw ImageIoError("cannot read image '" + path +
                           "': only 8- and 16-bit images are supported");
    if (raw.channels() == 3)
        cv::cvtColor(raw, raw, cv::COLOR_BGR2GRAY);
    else if (raw.channels() == 4)
        cv::cvtColor(raw, raw, cv::COLOR_BGRA2GRAY);
    else if (raw.channels() != 1)
        throw ImageIoError("cannot read image '" + path + "': unsupported channel count");
    return raw;
}

double fullScale(const cv::Mat& m) { return m.depth() == CV_16U ? 65535.0 : 255.0; }

void writeMat(const std::string& path, const cv::Mat& mat) {
    const std::filesystem::path p(path);
    std::error_code ec;
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
    bool ok = false;
    try {
        ok = cv::imwrite(path, mat);
    } catch (const cv::Exception& e) {
        throw ImageIoError("cannot write '" + path + "': " + e.what());
    }
    if (!ok) throw ImageIoError("cannot write '" + path + "' (directory missing or not writable?)");
}

cv::Mat toMat8(const common::ImageF& image, float scale) {
    cv::Mat out(image.height, image.width, CV_8U);
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x)
            out.at<std::uint8_t>(y, x) = static_cast<std::uint8_t>(
                std::lround(std::clamp(image.at(y, x) * scale, 0.0F, 1.0F) * 255.0F));
    return out;
}

cv::Mat heatmapMat(const common::ImageF& values, float maxValue) {
    cv::Mat coloured;
    cv::applyColorMap(toMat8(values, maxValue > 0 ? 1.0F / maxValue : 1.0F), coloured,
                      cv::COLORMAP_INFERNO);
    return coloured;
}

}  // namespace

std::array<std::array<std::uint8_t, 3>, 256> infernoTable() {
    cv::Mat ramp(1, 256, CV_8U);
    for (int i = 0; i < 256; ++i) ramp.at<std::uint8_t>(0, i) = static_cast<std::uint8_t>(i);
    cv::Mat coloured;
    cv::applyColorMap(ramp, coloured, cv::COLORMAP_INFERNO);
    std::array<std::array<std::uint8_t, 3>, 256> table{};
    for (int i = 0; i < 256; ++i) {
        const auto bgr = coloured.at<cv::Vec3b>(0, i);
        table[static_cast<size_t>(i)] = {bgr[2], bgr[1], bgr[0]};
    }
    return table;
}

std::string opencvVersion() { return CV_VERSION; }

common::ImageF readGrayImage(const std::string& path) {
    const auto raw = readGrayMat(path);
    common::ImageF image(raw.rows, raw.cols);
    cv::Mat wide;
    raw.convertTo(wide, CV_32F);
    // value / full scale as one float division, the arithmetic engine::normalizeCrop
    // rounds to, so that an 8-bit training crop reads exactly as its normalized self.
    const auto scale = static_cast<float>(fullScale(raw));
    for (int y = 0; y < raw.rows; ++y)
        for (int x = 0; x < raw.cols; ++x) image.at(y, x) = wide.at<float>(y, x) / scale;
    return image;
}

common::Mask readMask(const std::string& path) {
    const auto raw = readGrayMat(path);
    const double threshold = 0.5 * fullScale(raw);
    common::Mask mask(raw.rows, raw.cols);
    cv::Mat wide;
    raw.convertTo(wide, CV_32F);
    for (int y = 0; y < raw.rows; ++y)
        for (int x = 0; x < raw.cols; ++x)
            mask.at(y, x) = wide.at<float>(y, x) >= threshold ? 1 : 0;
    return mask;
}

void writeGray8(const std::string& path, const common::ImageF& image) {
    writeMat(path, toMat8(image, 1.0F));
}

void writeGray16(const std::string& path, const common::ImageF& image) {
    cv::Mat out(image.height, image.width, CV_16U);
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x)
            out.at<std::uint16_t>(y, x) = static_cast<std::uint16_t>(
                std::lround(std::clamp(image.at(y, x), 0.0F, 1.0F) * 65535.0F));
    writeMat(path, out);
}

void writeMask(const std::string& path, const common::Mask& mask) {
    cv::Mat out(mask.height, mask.width, CV_8U);
    for (int y = 0; y < mask.height; ++y)
        for (int x = 0; x < mask.width; ++x) out.at<std::uint8_t>(y, x) = mask.at(y, x) ? 255 : 0;
    writeMat(path, out);
}

void writeHeatmap(const std::string& path, const common::ImageF& values, float maxValue) {
    writeMat(path, heatmapMat(values, maxValue));
}

void writeHeatmapOverlay(const std::string& path, const common::ImageF& image,
                         const common::ImageF& values, float maxValue, float opacity) {
    cv::Mat grey;
    cv::cvtColor(toMat8(image, 1.0F), grey, cv::COLOR_GRAY2BGR);
    const cv::Mat heat = heatmapMat(values, maxValue);
    cv::Mat out = grey.clone();
    for (int y = 0; y < grey.rows; ++y)
        for (int x = 0; x < grey.cols; ++x) {
            if (values.at(y, x) <= 0) continue;
            const auto& g = grey.at<cv::Vec3b>(y, x);
            const auto& h = heat.at<cv::Vec3b>(y, x);
            for (int c = 0; c < 3; ++c)
                out.at<cv::Vec3b>(y, x)[c] =
                    static_cast<std::uint8_t>(std::lround((1 - opacity) * g[c] + opacity * h[c]));
        }
    writeMat(path, out);
}

void writeStrip(const std::string& path, const std::vector<common::ImageF>& images) {
    if (images.empty()) throw ImageIoError("cannot write '" + path + "': no images");
    const int h = images.front().height;
    const int w = images.front().width;
    constexpr int kGap = 2;
    const int n = static_cast<int>(images.size());
    cv::Mat strip(h, n * w + (n - 1) * kGap, CV_8U, cv::Scalar(128));
    for (int i = 0; i < n; ++i)
        toMat8(images[i], 1.0F).copyTo(strip(cv::Rect(i * (w + kGap), 0, w, h)));
    writeMat(path, strip);
}

common::Mask growMask(const common::Mask& mask, int radius) {
    if (radius <= 0 || mask.pixels.empty()) return mask;
    cv::Mat in(mask.height, mask.width, CV_8UC1, const_cast<std::uint8_t*>(mask.pixels.data()));
    cv::Mat out;
    cv::dilate(
        in, out,
        cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * radius + 1, 2 * radius + 1)));
    common::Mask grown(mask.height, mask.width);
    std::copy(out.datastart, out.dataend, grown.pixels.begin());
    return grown;
}

}  // namespace flowseg::imaging
