#include "flowseg/dicom/deidentify.h"

#include <dcmtk/dcmdata/dctk.h>
#include <cstdio>
#include <filesystem>
#include <map>
#include <vector>

#include "flowseg/common/sha256.h"
#include "flowseg/dicom/dicom_error.h"

namespace flowseg::dicom {

namespace {

enum class Action { Empty, Remove, Dummy };

struct Rule {
    DcmTagKey tag;
    Action action;
    const char* dummy = "";
};

/// PS3.15 Table E.1-1's attributes as they can occur in a CT series, what its
/// SEG and report objects copy from it, and what other tools write. Actions:
/// Z (emptied), X (removed), D (a dummy where the object needs a value).
const std::vector<Rule>& profile() {
    static const std::vector<Rule> rules = {
        // Patient.
        {DCM_PatientBirthDate, Action::Empty},
        {DCM_PatientSex, Action::Empty},
        {DCM_PatientBirthTime, Action::Remove},
        {DCM_PatientAge, Action::Remove},
        {DCM_PatientSize, Action::Remove},
        {DCM_PatientWeight, Action::Remove},
        {DCM_PatientAddress, Action::Remove},
        {DCM_PatientTelephoneNumbers, Action::Remove},
        {DCM_PatientBirthName, Action::Remove},
        {DCM_PatientMotherBirthName, Action::Remove},
        {DCM_OtherPatientNames, Action::Remove},
        {DCM_RETIRED_OtherPatientIDs, Action::Remove},
        {DCM_OtherPatientIDsSequence, Action::Remove},
        {DCM_IssuerOfPatientID, Action::Remove},
        {DCM_RETIRED_MedicalRecordLocator, Action::Remove},
        {DCM_EthnicGroup, Action::Remove},
        {DCM_Occupation, Action::Remove},
        {DCM_MilitaryRank, Action::Remove},
        {DCM_BranchOfService, Action::Remove},
        {DCM_CountryOfResidence, Action::Remove},
        {DCM_RegionOfResidence, Action::Remove},
        {DCM_PatientReligiousPreference, Action::Remove},
        {DCM_PatientComments, Action::Remove},
        {DCM_AdditionalPatientHistory, Action::Remove},
        {DCM_MedicalAlerts, Action::Remove},
        {DCM_Allergies, Action::Remove},
        {DCM_SmokingStatus, Action::Remove},
        {DCM_PregnancyStatus, Action::Remove},
        {DCM_PatientState, Action::Remove},
        {DCM_SpecialNeeds, Action::Remove},
        {DCM_PatientSexNeutered, Action::Remove},
        {DCM_PatientInsurancePlanCodeSequence, Action::Remove},
        {DCM_PatientPrimaryLanguageCodeSequence, Action::Remove},
        {DCM_ResponsiblePerson, Action::Remove},
        {DCM_ResponsibleOrganization, Action::Remove},
        // Study, visit, request.
        {DCM_StudyDate, Action::Empty},
        {DCM_StudyTime, Action::Empty},
        {DCM_AccessionNumber, Action::Empty},
        {DCM_StudyID, Action::Empty},
        {DCM_ReferringPhysicianName, Action::Empty},
        {DCM_ReferringPhysicianAddress, Action::Remove},
        {DCM_ReferringPhysicianTelephoneNumbers, Action::Remove},
        {DCM_ConsultingPhysicianName, Action::Remove},
        {DCM_PhysiciansOfRecord, Action::Remove},
        {DCM_NameOfPhysiciansReadingStudy, Action::Remove},
        {DCM_RequestingPhysician, Action::Remove},
        {DCM_StudyDescription, Action::Remove},
        {DCM_RETIRED_StudyComments, Action::Remove},
        {DCM_RETIRED_StudyIDIssuer, Action::Remove},
        {DCM_RETIRED_ReasonForStudy, Action::Remove},
        {DCM_ReasonForTheRequestedProcedure, Action::Remove},
        {DCM_RequestedProcedureDescription, Action::Remove},
        {DCM_RequestedContrastAgent, Action::Remove},
        {DCM_RequestAttributesSequence, Action::Remove},
        {DCM_PlacerOrderNumberImagingServiceRequest, Action::Remove},
        {DCM_FillerOrderNumberImagingServiceRequest, Action::Remove},
        {DCM_AdmissionID, Action::Remove},
        {DCM_RETIRED_IssuerOfAdmissionID, Action::Remove},
        {DCM_AdmittingDiagnosesDescription, Action::Remove},
        {DCM_CurrentPatientLocation, Action::Remove},
        {DCM_ReasonForVisit, Action::Remove},
        {DCM_VisitComments, Action::Remove},
        {DCM_ServiceEpisodeDescription, Action::Remove},
        {DCM_RETIRED_InterpretationAuthor, Action::Remove},
        {DCM_RETIRED_InterpretationRecorder, Action::Remove},
        // Series, procedure step, acquisition.
        {DCM_SeriesDate, Action::Remove},
        {DCM_SeriesTime, Action::Remove},
        {DCM_SeriesDescription, Action::Remove},
        {DCM_AcquisitionDate, Action::Remove},
        {DCM_AcquisitionTime, Action::Remove},
        {DCM_AcquisitionDateTime, Action::Empty},  // Type 2 in an Encapsulated Document
        {DCM_RETIRED_AcquisitionComments, Action::Remove},
        {DCM_RETIRED_OverlayDate, Action::Remove},
        {DCM_InstanceCreationDate, Action::Remove},
        {DCM_InstanceCreationTime, Action::Remove},
        {DCM_ProtocolName, Action::Remove},
        {DCM_PerformedProcedureStepDescription, Action::Remove},
        {DCM_PerformedProcedureStepID, Action::Remove},
        {DCM_PerformedProcedureStepStartDate, Action::Remove},
        {DCM_PerformedProcedureStepStartTime, Action::Remove},
        {DCM_PerformedProcedureStepEndDate, Action::Remove},
        {DCM_PerformedProcedureStepEndTime, Action::Remove},
        {DCM_PerformedLocation, Action::Remove},
        {DCM_PerformedStationName, Action::Remove},
        {DCM_ScheduledPerformingPhysicianName, Action::Remove},
        {DCM_ScheduledProcedureStepDescription, Action::Remove},
        {DCM_PerformingPhysicianName, Action::Remove},
        {DCM_OperatorsName, Action::Remove},
        {DCM_ActualHumanPerformersSequence, Action::Remove},
        {DCM_AuthorObserverSequence, Action::Remove},
        {DCM_VerifyingObserverName, Action::Remove},
        {DCM_ReviewerName, Action::Remove},
        {DCM_PersonName, Action::Remove},
        {DCM_ImageComments, Action::Remove},
        {DCM_FrameComments, Action::Remove},
        {DCM_DerivationDescription, Action::Remove},
        {DCM_AcquisitionDeviceProcessingDescription, Action::Remove},
        // Equipment.
        {DCM_InstitutionName, Action::Remove},
        {DCM_InstitutionAddress, Action::Remove},
        {DCM_InstitutionalDepartmentName, Action::Remove},
        {DCM_StationName, Action::Remove},
        {DCM_DeviceDescription, Action::Remove},
        {DCM_DetectorID, Action::Remove},
        {DCM_GantryID, Action::Remove},
        {DCM_PlateID, Action::Remove},
        {DCM_CassetteID, Action::Remove},
        // Type 1 in the Enhanced General Equipment module of a SEG: a dummy.
        {DCM_DeviceSerialNumber, Action::Dummy, "0"},
        // Type 1 in a SEG's and an Encapsulated PDF's content: a dummy.
        {DCM_ContentDate, Action::Dummy, "19000101"},
        {DCM_ContentTime, Action::Dummy, "000000"},
        {DCM_ContentCreatorName, Action::Empty},
    };
    return rules;
}

/// A UI value that names an instance (of this patient's data) rather than a
/// DICOM-defined class, transfer syntax or coding scheme.
bool isInstanceUid(const DcmTagKey& tag, const std::string& value) {
    if (value.rfind("1.2.840.10008.", 0) == 0) return false;
    return tag != DCM_SOPClassUID && tag != DCM_ReferencedSOPClassUID &&
           tag != DCM_MediaStorageSOPClassUID && tag != DCM_TransferSyntaxUID &&
           tag != DCM_ImplementationClassUID && tag != DCM_CodingSchemeUID;
}

class Profile {
public:
    explicit Profile(const DeidentifyOptions& options) : m_options(options) {
        for (const auto& rule : profile()) m_rules.emplace(rule.tag, &rule);
    }

    void apply(DcmItem& item) {
        for (long i = static_cast<long>(item.card()) - 1; i >= 0; --i) {
            DcmElement* element = item.getElement(static_cast<unsigned long>(i));
            const DcmTagKey tag = element->getTag();
            if (tag.isPrivate()) {
                delete item.remove(element);
                continue;
            }
            if (const auto rule = m_rules.find(tag); rule != m_rules.end()) {
                switch (rule->second->action) {
                    case Action::Remove:
                        delete item.remove(element);
                        continue;
                    case Action::Empty:
                        element->putString("");
                        continue;
                    case Action::Dummy:
                        element->putString(rule->second->dummy);
                        continue;
                }
            }
            if (element->ident() == EVR_SQ) {
                auto* sequence = static_cast<DcmSequenceOfItems*>(element);
                for (unsigned long k = 0; k < sequence->card(); ++k) apply(*sequence->getItem(k));
            } else if (!m_options.retainUids && element->ident() == EVR_UI) {
                OFString value;
                if (element->getOFString(value, 0).good() && isInstanceUid(tag, value.c_str()))
                    element->putString(replacementUid(value.c_str(), m_options.uidKey).c_str());
            }
        }
    }

private:
    const DeidentifyOptions& m_options;
    std::map<DcmTagKey, const Rule*> m_rules;
};

void addCode(DcmItem& data, const char* value, const char* meaning) {
    DcmItem* code = nullptr;
    if (data.findOrCreateSequenceItem(DCM_DeidentificationMethodCodeSequence, code, -2).bad())
        throw DicomError("cannot record the de-identification method");
    code->putAndInsertString(DCM_CodeValue, value);
    code->putAndInsertString(DCM_CodingSchemeDesignator, "DCM");
    code->putAndInsertString(DCM_CodeMeaning, meaning);
}

}  // namespace

std::string pseudonymOf(const std::string& patientId, const std::string& secret) {
    return "ANON-" + common::hmacSha256Hex(secret, patientId).substr(0, 16);
}

std::string replacementUid(const std::string& uid, const std::string& key) {
    const auto mac = common::hmacSha256(key, uid);
    unsigned __int128 value = 0;
    for (size_t i = 0; i < 16; ++i) value = (value << 8U) | mac[i];
    std::string digits;
    do {
        digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(value % 10)));
        value /= 10;
    } while (value != 0);
    return "2.25." + digits;
}

void deidentifyFile(const std::string& path, const DeidentifyOptions& options) {
    if (!options.retainUids && options.uidKey.empty())
        throw DicomError("de-identifying '" + path + "': replacing UIDs needs a key");
    DcmFileFormat file;
    if (file.loadFile(path.c_str()).bad())
        throw DicomError("cannot read '" + path + "' to de-identify it");
    file.loadAllDataIntoMemory();
    DcmDataset& data = *file.getDataset();
    data.findAndDeleteElement(DCM_DeidentificationMethodCodeSequence);
    Profile(options).apply(data);
    data.putAndInsertString(DCM_PatientName, "Anonymized");
    data.putAndInsertString(DCM_PatientID, options.pseudonym.c_str());
    data.putAndInsertString(DCM_PatientIdentityRemoved, "YES");
    data.putAndInsertString(DCM_LongitudinalTemporalInformationModified, "REMOVED");
    data.putAndInsertString(DCM_DeidentificationMethod,
                            options.retainUids ? "PS3.15 E.1-1 Basic Profile; Retain UIDs"
                                               : "PS3.15 E.1-1 Basic Profile; UIDs replaced");
    addCode(data, "113100", "Basic Application Confidentiality Profile");
    if (options.retainUids) addCode(data, "113110", "Retain UIDs Option");
    const std::string temporary = path + ".deid";
    // The meta header's SOP Instance UID follows the (possibly replaced) dataset's.
    if (file.saveFile(temporary.c_str(), EXS_LittleEndianExplicit, EET_ExplicitLength, EGL_recalcGL,
                      EPD_noChange, 0, 0, EWM_updateMeta)
            .bad()) {
        std::remove(temporary.c_str());
        throw DicomError("cannot write the de-identified '" + path + "'");
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) throw DicomError("cannot replace '" + path + "': " + ec.message());
}

}  // namespace flowseg::dicom
