// LIDC-IDRI reader XML: parsing and outline filling.

#include <gtest/gtest.h>

#include "flowseg/dicom/dicom_error.h"
#include "flowseg/dicom/lidc_xml.h"

using namespace flowseg::dicom;

namespace {

const char* kXml = R"(<?xml version="1.0" encoding="UTF-8"?>
<LidcReadMessage xmlns="http://www.nih.gov" uid="1.3.6.1.4.1.14519.5.2.1.6279.6001.1">
  <ResponseHeader>
    <SeriesInstanceUid>1.2.3.4</SeriesInstanceUid>
    <StudyInstanceUID>1.2.3</StudyInstanceUID>
  </ResponseHeader>
  <!-- reader one: a 5x5 square outline (every boundary pixel, as LIDC lists them)
       with a 3x3 exclusion whose interior is one pixel -->
  <readingSession>
    <servicingRadiologistID>anon-1</servicingRadiologistID>
    <unblindedReadNodule>
      <noduleID>Nodule 001</noduleID>
      <characteristics><malignancy>3</malignancy></characteristics>
      <roi>
        <imageZposition>-125.0</imageZposition>
        <imageSOP_UID>1.2.3.4.10</imageSOP_UID>
        <inclusion>TRUE</inclusion>
        <edgeMap><xCoord>2</xCoord><yCoord>2</yCoord></edgeMap>
        <edgeMap><xCoord>3</xCoord><yCoord>2</yCoord></edgeMap>
        <edgeMap><xCoord>4</xCoord><yCoord>2</yCoord></edgeMap>
        <edgeMap><xCoord>5</xCoord><yCoord>2</yCoord></edgeMap>
        <edgeMap><xCoord>6</xCoord><yCoord>2</yCoord></edgeMap>
        <edgeMap><xCoord>6</xCoord><yCoord>3</yCoord></edgeMap>
        <edgeMap><xCoord>6</xCoord><yCoord>4</yCoord></edgeMap>
        <edgeMap><xCoord>6</xCoord><yCoord>5</yCoord></edgeMap>
        <edgeMap><xCoord>6</xCoord><yCoord>6</yCoord></edgeMap>
        <edgeMap><xCoord>5</xCoord><yCoord>6</yCoord></edgeMap>
        <edgeMap><xCoord>4</xCoord><yCoord>6</yCoord></edgeMap>
        <edgeMap><xCoord>3</xCoord><yCoord>6</yCoord></edgeMap>
        <edgeMap><xCoord>2</xCoord><yCoord>6</yCoord></edgeMap>
        <edgeMap><xCoord>2</xCoord><yCoord>5</yCoord></edgeMap>
        <edgeMap><xCoord>2</xCoord><yCoord>4</yCoord></edgeMap>
        <edgeMap><xCoord>2</xCoord><yCoord>3</yCoord></edgeMap>
      </roi>
      <roi>
        <imageZposition>-125.0</imageZposition>
        <imageSOP_UID>1.2.3.4.10</imageSOP_UID>
        <inclusion>FALSE</inclusion>
        <edgeMap><xCoord>3</xCoord><yCoord>3</yCoord></edgeMap>
        <edgeMap><xCoord>4</xCoord><yCoord>3</yCoord></edgeMap>
        <edgeMap><xCoord>5</xCoord><yCoord>3</yCoord></edgeMap>
        <edgeMap><xCoord>5</xCoord><yCoord>4</yCoord></edgeMap>
        <edgeMap><xCoord>5</xCoord><yCoord>5</yCoord></edgeMap>
        <edgeMap><xCoord>4</xCoord><yCoord>5</yCoord></edgeMap>
        <edgeMap><xCoord>3</xCoord><yCoord>5</yCoord></edgeMap>
        <edgeMap><xCoord>3</xCoord><yCoord>4</yCoord></edgeMap>
      </roi>
    </unblindedReadNodule>
  </readingSession>
  <readingSession>
    <unblindedReadNodule>
      <noduleID>small</noduleID>
      <roi>
        <imageZposition>-126.25</imageZposition>
        <imageSOP_UID>1.2.3.4.11</imageSOP_UID>
        <inclusion>TRUE</inclusion>
        <edgeMap><xCoord>7</xCoord><yCoord>1</yCoord></edgeMap>
      </roi>
    </unblindedReadNodule>
    <nonNodule><imageSOP_UID>1.2.3.4.12</imageSOP_UID></nonNodule>
  </readingSession>
</LidcReadMessage>)";

}  // namespace

TEST(LidcXml, ParsesReadersNodulesAndRois) {
    const auto doc = parseLidcXmlText(kXml);
    EXPECT_EQ(doc.seriesUid, "1.2.3.4");
    EXPECT_EQ(doc.studyUid, "1.2.3");
    ASSERT_EQ(doc.readings.size(), 2U);
    EXPECT_EQ(doc.readings[0].readerId, "anon-1");
    EXPECT_EQ(doc.readings[1].readerId, "reader 2");
    ASSERT_EQ(doc.readings[0].nodules.size(), 1U);
    const auto& rois = doc.readings[0].nodules[0].rois;
    ASSERT_EQ(rois.size(), 2U);
    EXPECT_TRUE(rois[0].inclusion);
    EXPECT_FALSE(rois[1].inclusion);
    EXPECT_DOUBLE_EQ(rois[0].z, -125.0);
    EXPECT_EQ(rois[0].edge.size(), 16U);
}

TEST(LidcXml, OutlinesAreFilledWithTheirBoundaryAndHolesCutOut) {
    const auto doc = parseLidcXmlText(kXml);
    const auto masks = noduleMasks(doc.readings[0].nodules[0], 10, 8);
    ASSERT_EQ(masks.size(), 1U);
    const auto& m = masks.at("1.2.3.4.10");
    // 5x5 square (x, y in 2..6) = 25 pixels, minus the hole's interior (4,4) = 24.
    EXPECT_EQ(m.area(), 24);
    EXPECT_EQ(m.at(2, 2), 1);
    EXPECT_EQ(m.at(6, 6), 1);
    EXPECT_EQ(m.at(3, 3), 1);  // the hole's outline stays
    EXPECT_EQ(m.at(4, 4), 0);  // its interior goes
    EXPECT_EQ(m.at(1, 1), 0);
    const auto single = noduleMasks(doc.readings[1].nodules[0], 10, 8);
    EXPECT_EQ(single.at("1.2.3.4.11").area(), 1);  // a < 3 mm nodule: one marked point
    EXPECT_EQ(single.at("1.2.3.4.11").at(1, 7), 1);
}

TEST(LidcXml, MalformedXmlIsAClearError) {
    EXPECT_THROW(parseLidcXmlText("<LidcReadMessage><readingSession></LidcReadMessage>", "bad.xml"),
                 DicomError);
    EXPECT_THROW(parseLidcXmlText("<root/>", "empty.xml"), DicomError);
    EXPECT_THROW(parseLidcXml("/nonexistent/lidc.xml"), DicomError);
    try {
        parseLidcXmlText("<a><b>", "unclosed.xml");
        FAIL();
    } catch (const DicomError& e) {
        EXPECT_NE(std::string(e.what()).find("unclosed.xml"), std::string::npos);
    }
}
