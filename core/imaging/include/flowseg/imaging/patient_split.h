#pragma once
// A split of a multi-reader data set by patient (train / val / test), kept as a
// file in the repository so that every run trains and reports on the same
// patients. Neighbouring slices of one nodule are nearly the same picture, so a
// patient is never in two parts. Plain C++.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace flowseg::imaging {

/// The patient a case belongs to: the case id up to its first '_'
/// ("LIDC-IDRI-0004_nodule-0_slice-2" -> "LIDC-IDRI-0004").
std::string patientOfCase(const std::string& caseId);

/// The nodule a case shows: the case id without its last "_slice-…" part
/// ("LIDC-IDRI-0004_nodule-0_slice-2" -> "LIDC-IDRI-0004_nodule-0").
std::string noduleOfCase(const std::string& caseId);

/// FNV-1a (64 bit) of a case id: an order that looks random, the same everywhere,
/// used to pick "one slice per nodule" and subsets without a seed to carry around.
std::uint64_t caseHash(const std::string& caseId);

class PatientSplit {
public:
    /// Reads "patient<TAB>part" lines ('#' starts a comment). Throws ImageIoError
    /// naming the file and line for a malformed line or a patient listed twice.
    static PatientSplit load(const std::string& path);

    /// The part of `patient`, or "" when the split does not list it.
    [[nodiscard]] std::string partOf(const std::string& patient) const;
    [[nodiscard]] const std::map<std::string, std::string>& patients() const { return m_parts; }
    /// The parts named in the file, sorted.
    [[nodiscard]] std::vector<std::string> parts() const;

private:
    std::map<std::string, std::string> m_parts;
};

/// The cases of `part`: the ids (in the given order) whose patient the split puts
/// there. With `oneSlicePerNodule`, each nodule contributes the one slice of
/// lowest caseHash, and the result is ordered by caseHash (so its first N are a
/// random-looking subset). Throws ImageIoError when a case's patient is not in
/// the split (a split for another data set) or when the part holds no case.
std::vector<std::string> casesOfPart(const std::vector<std::string>& caseIds,
                                     const PatientSplit& split, const std::string& part,
                                     bool oneSlicePerNodule = false);

}  // namespace flowseg::imaging
