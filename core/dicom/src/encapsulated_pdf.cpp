#include "flowseg/dicom/encapsulated_pdf.h"

#include <dcmtk/dcmdata/dctk.h>
#include <ctime>
#include <fstream>
#include <iterator>

#include "dataset_writing.h"
#include "flowseg/dicom/dicom_error.h"

namespace flowseg::dicom {

using detail::newUid;
using detail::put;

void writeEncapsulatedPdf(const std::string& path, const std::string& pdfPath,
                          const std::string& sourceFile, const std::string& title,
                          const std::string& softwareVersion) {
    std::ifstream in(pdfPath, std::ios::binary);
    std::string pdf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) throw DicomError("cannot read '" + pdfPath + "'");
    if (pdf.rfind("%PDF-", 0) != 0) throw DicomError("'" + pdfPath + "' is not a PDF file");
    DcmFileFormat source;
    if (source.loadFile(sourceFile.c_str()).bad())
        throw DicomError("cannot read the study's image '" + sourceFile + "'");
    DcmDataset& from = *source.getDataset();
    DcmFileFormat file;
    DcmDataset& d = *file.getDataset();
    // Patient and General Study modules (and the character set they are written in).
    for (const auto& tag :
         {DCM_SpecificCharacterSet, DCM_PatientName, DCM_PatientID, DCM_IssuerOfPatientID,
          DCM_PatientBirthDate, DCM_PatientSex, DCM_OtherPatientIDsSequence, DCM_OtherPatientNames,
          DCM_StudyInstanceUID, DCM_StudyDate, DCM_StudyTime, DCM_ReferringPhysicianName,
          DCM_StudyID, DCM_AccessionNumber, DCM_StudyDescription, DCM_PatientIdentityRemoved,
          DCM_DeidentificationMethod}) {
        DcmElement* element = nullptr;
        if (from.findAndGetElement(tag, element).good() && element != nullptr)
            d.insert(static_cast<DcmElement*>(element->clone()), true);
    }
    for (const auto& tag :
         {DCM_PatientName, DCM_PatientID, DCM_PatientBirthDate, DCM_PatientSex, DCM_StudyDate,
          DCM_StudyTime, DCM_ReferringPhysicianName, DCM_StudyID, DCM_AccessionNumber})
        if (!d.tagExists(tag)) put(d, tag, "");
    std::string studyUid;
    if (OFString uid; d.findAndGetOFString(DCM_StudyInstanceUID, uid).good())
        studyUid = uid.c_str();
    if (studyUid.empty()) throw DicomError("'" + sourceFile + "' names no study");
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char date[16], time[16];
    std::strftime(date, sizeof date, "%Y%m%d", &utc);
    std::strftime(time, sizeof time, "%H%M%S", &utc);
    const std::string sopUid = newUid();
    put(d, DCM_SOPClassUID, UID_EncapsulatedPDFStorage);
    put(d, DCM_SOPInstanceUID, sopUid);
    put(d, DCM_InstanceCreationDate, date);
    put(d, DCM_InstanceCreationTime, time);
    put(d, DCM_TimezoneOffsetFromUTC, "+0000");
    // Encapsulated Document Series, General Equipment, SC Equipment.
    put(d, DCM_Modality, "DOC");
    put(d, DCM_SeriesInstanceUID, newUid());
    put(d, DCM_SeriesNumber, "9010");
    put(d, DCM_SeriesDescription, "FlowSeg uncertainty report");
    put(d, DCM_Manufacturer, "FlowSeg");
    put(d, DCM_ManufacturerModelName, "FlowSeg Review");
    if (!softwareVersion.empty()) put(d, DCM_SoftwareVersions, softwareVersion);
    put(d, DCM_ConversionType, "WSD");
    // Encapsulated Document.
    put(d, DCM_InstanceNumber, "1");
    put(d, DCM_ContentDate, date);
    put(d, DCM_ContentTime, time);
    put(d, DCM_AcquisitionDateTime, "");
    put(d, DCM_BurnedInAnnotation, "YES");
    put(d, DCM_DocumentTitle, title);
    if (d.insertEmptyElement(DCM_ConceptNameCodeSequence).bad())
        throw DicomError("cannot set the concept name");
    put(d, DCM_MIMETypeOfEncapsulatedDocument, "application/pdf");
    if (d.putAndInsertUint32(DCM_EncapsulatedDocumentLength, static_cast<Uint32>(pdf.size())).bad())
        throw DicomError("cannot set the document's length");
    if (pdf.size() % 2 != 0) pdf.push_back('\0');  // OB values have even length
    if (d.putAndInsertUint8Array(DCM_EncapsulatedDocument,
                                 reinterpret_cast<const Uint8*>(pdf.data()), pdf.size())
            .bad())
        throw DicomError("cannot encapsulate '" + pdfPath + "'");
    const OFCondition saved = file.saveFile(path.c_str(), EXS_LittleEndianExplicit);
    if (saved.bad()) throw DicomError("cannot write '" + path + "': " + saved.text());
}

std::string readEncapsulatedPdf(const std::string& path) {
    DcmFileFormat file;
    if (file.loadFile(path.c_str()).bad()) throw DicomError("cannot read '" + path + "'");
    DcmDataset& d = *file.getDataset();
    OFString mime;
    d.findAndGetOFString(DCM_MIMETypeOfEncapsulatedDocument, mime);
    if (mime != "application/pdf") throw DicomError("'" + path + "' encapsulates no PDF");
    const Uint8* bytes = nullptr;
    unsigned long count = 0;
    if (d.findAndGetUint8Array(DCM_EncapsulatedDocument, bytes, &count).bad() || bytes == nullptr)
        throw DicomError("'" + path + "' holds no document");
    Uint32 length = 0;
    if (d.findAndGetUint32(DCM_EncapsulatedDocumentLength, length).good() && length <= count)
        count = length;
    return {reinterpret_cast<const char*>(bytes), count};
}

}  // namespace flowseg::dicom
