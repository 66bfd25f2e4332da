#include "dataset_writing.h"

#include "flowseg/dicom/dicom_error.h"

namespace flowseg::dicom::detail {

std::string newUid() {
    char uid[100];
    dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT);
    return uid;
}

void put(DcmItem& item, const DcmTagKey& tag, const std::string& value) {
    if (item.putAndInsertString(tag, value.c_str()).bad())
        throw DicomError("cannot set DICOM attribute " + std::string(DcmTag(tag).getTagName()));
}

}  // namespace flowseg::dicom::detail
