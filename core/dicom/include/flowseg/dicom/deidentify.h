#pragma once
// De-identification of the DICOM objects we write (SEG, Encapsulated PDF): the
// DICOM Basic Application Level Confidentiality Profile (PS3.15 Annex E,
// Table E.1-1) applied to every attribute, in sequences too, with the Retain
// UIDs option or keyed replacement UIDs. Where the profile allows a dummy value
// and the object needs one (Type 1: ContentDate, DeviceSerialNumber), a dummy
// is written, so that the result stays valid DICOM.

#include <string>

namespace flowseg::dicom {

struct DeidentifyOptions {
    /// The new Patient ID (see pseudonymOf); the name becomes "Anonymized".
    std::string pseudonym;
    /// Retain UIDs Option: the export still references the slices it segments
    /// in the sender's archive. Off: every instance UID (study, series, SOP,
    /// frame of reference, referenced ones) is replaced by replacementUid(uid,
    /// uidKey), so one key gives one consistent set across an export's files.
    bool retainUids = true;
    std::string uidKey;
};

/// Rewrites `path` in place (atomically: written aside, then renamed). Throws
/// DicomError naming the file.
void deidentifyFile(const std::string& path, const DeidentifyOptions& options);

/// "ANON-" + the first 16 hex digits of HMAC-SHA-256(secret, patientId): stable
/// for one installation's secret (common::installationSecret), and a list of
/// patient IDs does not reverse it without the secret.
std::string pseudonymOf(const std::string& patientId, const std::string& secret);

/// "2.25." + the decimal of the first 128 bits of HMAC-SHA-256(key, uid): a
/// valid UID (PS3.5 B.2), the same for the same uid and key, unrelated across keys.
std::string replacementUid(const std::string& uid, const std::string& key);

}  // namespace flowseg::dicom
