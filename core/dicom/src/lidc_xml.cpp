#include "flowseg/dicom/lidc_xml.h"

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>

#include "flowseg/dicom/dicom_error.h"

namespace flowseg::dicom {

namespace {

// Just enough XML for LIDC: elements, text, attributes ignored, comments,
// processing instructions and CDATA skipped; namespace prefixes dropped.
struct Element {
    std::string name;
    std::string text;
    std::vector<std::unique_ptr<Element>> children;

    [[nodiscard]] const Element* child(const std::string& n) const {
        for (const auto& c : children)
            if (c->name == n) return c.get();
        return nullptr;
    }
    [[nodiscard]] std::string childText(const std::string& n) const {
        const auto* c = child(n);
        return c ? c->text : std::string();
    }
};

std::string trim(const std::string& s) {
    const auto a = s.find_first_not_of(" \t\r\n");
    if (a == std::string::npos) return {};
    return s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

std::unique_ptr<Element> parseXml(const std::string& xml, const std::string& source) {
    const auto fail = [&](size_t at, const std::string& why) {
        throw DicomError("cannot read '" + source + "': malformed XML at byte " +
                         std::to_string(at) + " (" + why + ")");
    };
    auto root = std::make_unique<Element>();
    std::vector<Element*> stack{root.get()};
    size_t i = 0;
    while (i < xml.size()) {
        const size_t lt = xml.find('<', i);
        const std::string text = xml.substr(i, (lt == std::string::npos ? xml.size() : lt) - i);
        stack.back()->text += text;
        if (lt == std::string::npos) break;
        if (xml.compare(lt, 4, "<!--") == 0) {
            const size_t end = xml.find("-->", lt);
            if (end == std::string::npos) fail(lt, "unterminated comment");
            i = end + 3;
            continue;
        }
        if (xml.compare(lt, 9, "<![CDATA[") == 0) {
            const size_t end = xml.find("]]>", lt);
            if (end == std::string::npos) fail(lt, "unterminated CDATA");
            stack.back()->text += xml.substr(lt + 9, end - lt - 9);
            i = end + 3;
            continue;
        }
        const size_t gt = xml.find('>', lt);
        if (gt == std::string::npos) fail(lt, "unterminated tag");
        std::string tag = xml.substr(lt + 1, gt - lt - 1);
        i = gt + 1;
        if (tag.empty() || tag[0] == '?' || tag[0] == '!') continue;
        if (tag[0] == '/') {
            std::string name = trim(tag.substr(1));
            if (const auto colon = name.find(':'); colon != std::string::npos)
                name = name.substr(colon + 1);
            if (stack.size() < 2 || stack.back()->name != name)
                fail(lt, "unexpected </" + name + ">");
            stack.back()->text = trim(stack.back()->text);
            stack.pop_back();
            continue;
        }
        const bool selfClosing = tag.back() == '/';
        if (selfClosing) tag.pop_back();
        std::string name = tag.substr(0, tag.find_first_of(" \t\r\n"));
        if (const auto colon = name.find(':'); colon != std::string::npos)
            name = name.substr(colon + 1);
        if (name.empty()) fail(lt, "empty tag name");
        auto element = std::make_unique<Element>();
        element->name = name;
        Element* raw = element.get();
        stack.back()->children.push_back(std::move(element));
        if (!selfClosing) stack.push_back(raw);
    }
    if (stack.size() != 1) fail(xml.size(), "<" + stack.back()->name + "> is never closed");
    return root;
}

void collect(const Element& e, const std::string& name, std::vector<const Element*>& out) {
    for (const auto& c : e.children) {
        if (c->name == name)
            out.push_back(c.get());
        else
            collect(*c, name, out);
    }
}

int toInt(const std::string& s, const std::string& source) {
    try {
        return std::stoi(s);
    } catch (const std::exception&) {
        throw DicomError("cannot read '" + source + "': '" + s + "' is not a pixel coordinate");
    }
}

// Even-odd rule at pixel centres, plus the outline pixels themselves.
void fillPolygon(common::Mask& mask, const std::vector<std::pair<int, int>>& edge,
                 std::uint8_t value) {
    const auto set = [&](int x, int y) {
        if (x >= 0 && y >= 0 && x < mask.width && y < mask.height) mask.at(y, x) = value;
    };
    const size_t n = edge.size();
    if (n >= 3) {
        int minY = mask.height, maxY = -1;
        for (const auto& [x, y] : edge) {
            minY = std::min(minY, y);
            maxY = std::max(maxY, y);
        }
        for (int y = std::max(0, minY); y <= std::min(mask.height - 1, maxY); ++y) {
            for (int x = 0; x < mask.width; ++x) {
                bool inside = false;
                for (size_t i = 0, j = n - 1; i < n; j = i++) {
                    const double xi = edge[i].first, yi = edge[i].second;
                    const double xj = edge[j].first, yj = edge[j].second;
                    if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
                        inside = !inside;
                }
                if (inside) set(x, y);
            }
        }
    }
    for (const auto& [x, y] : edge) set(x, y);
}

}  // namespace

LidcDocument parseLidcXmlText(const std::string& xml, const std::string& source) {
    const auto root = parseXml(xml, source);
    LidcDocument doc;
    std::vector<const Element*> headers;
    collect(*root, "ResponseHeader", headers);
    if (!headers.empty()) {
        doc.seriesUid = headers.front()->childText("SeriesInstanceUid");
        doc.studyUid = headers.front()->childText("StudyInstanceUID");
    }
    std::vector<const Element*> sessions;
    collect(*root, "readingSession", sessions);
    if (sessions.empty())
        throw DicomError("cannot read '" + source + "': no readingSession (not an LIDC XML file?)");
    for (size_t k = 0; k < sessions.size(); ++k) {
        LidcReading reading;
        reading.readerId = sessions[k]->childText("servicingRadiologistID");
        if (reading.readerId.empty()) reading.readerId = "reader " + std::to_string(k + 1);
        std::vector<const Element*> nodules;
        collect(*sessions[k], "unblindedReadNodule", nodules);
        for (const auto* n : nodules) {
            LidcNodule nodule;
            nodule.id = n->childText("noduleID");
            for (const auto& c : n->children) {
                if (c->name != "roi") continue;
                LidcRoi roi;
                roi.sopUid = c->childText("imageSOP_UID");
                const auto z = c->childText("imageZposition");
                roi.z = z.empty() ? 0.0 : std::stod(z);
                roi.inclusion = c->childText("inclusion") != "FALSE";
                for (const auto& edge : c->children)
                    if (edge->name == "edgeMap")
                        roi.edge.emplace_back(toInt(edge->childText("xCoord"), source),
                                              toInt(edge->childText("yCoord"), source));
                if (!roi.sopUid.empty() && !roi.edge.empty()) nodule.rois.push_back(std::move(roi));
            }
            reading.nodules.push_back(std::move(nodule));
        }
        doc.readings.push_back(std::move(reading));
    }
    return doc;
}

LidcDocument parseLidcXml(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DicomError("cannot read '" + path + "': no such file");
    std::stringstream text;
    text << in.rdbuf();
    return parseLidcXmlText(text.str(), path);
}

std::map<std::string, common::Mask> noduleMasks(const LidcNodule& nodule, int width, int height) {
    std::map<std::string, common::Mask> masks;
    for (const auto& roi : nodule.rois) {  // inclusions first, then holes
        if (!roi.inclusion) continue;
        auto [it, inserted] = masks.try_emplace(roi.sopUid, height, width);
        fillPolygon(it->second, roi.edge, 1);
    }
    for (const auto& roi : nodule.rois) {
        if (roi.inclusion) continue;
        auto it = masks.find(roi.sopUid);
        if (it == masks.end()) continue;
        common::Mask hole(height, width);
        fillPolygon(hole, roi.edge, 1);
        // The hole's outline belongs to the nodule; only its interior is removed.
        for (const auto& [x, y] : roi.edge)
            if (x >= 0 && y >= 0 && x < width && y < height) hole.at(y, x) = 0;
        for (size_t i = 0; i < hole.pixels.size(); ++i)
            if (hole.pixels[i]) it->second.pixels[i] = 0;
    }
    return masks;
}

}  // namespace flowseg::dicom
