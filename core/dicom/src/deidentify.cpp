#include "flowseg/dicom/deidentify.h"

#include <dcmtk/dcmdata/dctk.h>

#include "flowseg/dicom/dicom_error.h"

namespace flowseg::dicom {

void deidentifyFile(const std::string& path, const std::string& pseudonym) {
    DcmFileFormat file;
    if (file.loadFile(path.c_str()).bad())
        throw DicomError("cannot read '" + path + "' to de-identify it");
    file.loadAllDataIntoMemory();
    DcmDataset& data = *file.getDataset();
    // Z: zero length (or a dummy where the attribute must keep a value).
    for (const auto& tag :
         {DCM_PatientBirthDate, DCM_PatientSex, DCM_StudyDate, DCM_ContentDate, DCM_StudyTime,
          DCM_ContentTime, DCM_AccessionNumber, DCM_ReferringPhysicianName, DCM_StudyID})
        if (data.tagExists(tag)) data.putAndInsertString(tag, "");
    data.putAndInsertString(DCM_PatientName, "Anonymized");
    data.putAndInsertString(DCM_PatientID, pseudonym.c_str());
    // X: removed.
    for (const auto& tag : {DCM_PatientAge,
                            DCM_OtherPatientIDsSequence,
                            DCM_OtherPatientNames,
                            DCM_PatientAddress,
                            DCM_SeriesDate,
                            DCM_AcquisitionDate,
                            DCM_SeriesTime,
                            DCM_AcquisitionTime,
                            DCM_InstitutionName,
                            DCM_InstitutionAddress,
                            DCM_StationName,
                            DCM_StudyDescription,
                            DCM_SeriesDescription,
                            DCM_OperatorsName,
                            DCM_PerformingPhysicianName,
                            DCM_DeviceSerialNumber,
                            DCM_PatientComments,
                            DCM_AdditionalPatientHistory,
                            DCM_InstitutionalDepartmentName,
                            DCM_PhysiciansOfRecord})
        data.findAndDeleteElement(tag, true, true);
    data.putAndInsertString(DCM_PatientIdentityRemoved, "YES");
    data.putAndInsertString(
        DCM_DeidentificationMethod,
        "DICOM PS3.15 Basic Application Level Confidentiality Profile; Retain UIDs Option");
    if (file.saveFile(path.c_str(), EXS_LittleEndianExplicit).bad())
        throw DicomError("cannot write the de-identified '" + path + "'");
}

}  // namespace flowseg::dicom
