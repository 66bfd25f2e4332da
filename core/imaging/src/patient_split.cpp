#include "flowseg/imaging/patient_split.h"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <set>
#include <sstream>

#include "flowseg/imaging/image_io.h"

namespace flowseg::imaging {

std::string patientOfCase(const std::string& caseId) { return caseId.substr(0, caseId.find('_')); }

std::string noduleOfCase(const std::string& caseId) {
    const auto slice = caseId.rfind("_slice");
    return slice == std::string::npos ? caseId : caseId.substr(0, slice);
}

std::uint64_t caseHash(const std::string& caseId) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char c : caseId) h = (h ^ c) * 0x100000001b3ULL;
    return h;
}

PatientSplit PatientSplit::load(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw ImageIoError("cannot read the patient split '" + path + "'");
    PatientSplit split;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line.front() == '#') continue;
        const auto tab = line.find('\t');
        const auto where = "'" + path + "' line " + std::to_string(number);
        if (tab == std::string::npos || tab == 0 || tab + 1 == line.size())
            throw ImageIoError(where + " is not 'patient<TAB>part'");
        const auto patient = line.substr(0, tab);
        if (!split.m_parts.emplace(patient, line.substr(tab + 1)).second)
            throw ImageIoError(where + " lists patient " + patient + " a second time");
    }
    if (split.m_parts.empty())
        throw ImageIoError("the patient split '" + path + "' lists no patient");
    return split;
}

std::string PatientSplit::partOf(const std::string& patient) const {
    const auto it = m_parts.find(patient);
    return it == m_parts.end() ? std::string() : it->second;
}

std::vector<std::string> PatientSplit::parts() const {
    std::set<std::string> names;
    for (const auto& [patient, part] : m_parts) names.insert(part);
    return {names.begin(), names.end()};
}

std::vector<std::string> casesOfPart(const std::vector<std::string>& caseIds,
                                     const PatientSplit& split, const std::string& part,
                                     bool oneSlicePerNodule) {
    std::vector<std::string> chosen;
    std::map<std::string, std::string> perNodule;  // nodule -> its slice of lowest hash
    for (const auto& id : caseIds) {
        const auto patient = patientOfCase(id);
        const auto itsPart = split.partOf(patient);
        if (itsPart.empty())
            throw ImageIoError("case '" + id + "': patient " + patient +
                               " is not in the split (a split made for another data set?)");
        if (itsPart != part) continue;
        if (!oneSlicePerNodule) {
            chosen.push_back(id);
            continue;
        }
        auto [it, added] = perNodule.emplace(noduleOfCase(id), id);
        if (!added && caseHash(id) < caseHash(it->second)) it->second = id;
    }
    if (oneSlicePerNodule) {
        for (const auto& [nodule, id] : perNodule) chosen.push_back(id);
        std::sort(chosen.begin(), chosen.end(), [](const std::string& a, const std::string& b) {
            return caseHash(a) < caseHash(b);
        });
    }
    if (chosen.empty()) {
        std::string names;
        for (const auto& p : split.parts()) names += (names.empty() ? "" : ", ") + p;
        throw ImageIoError("no case of the data set is in part '" + part +
                           "' (the split's parts: " + names + ")");
    }
    return chosen;
}

}  // namespace flowseg::imaging
