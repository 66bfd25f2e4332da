#pragma once
// The gtest fixture of a real Orthanc on loopback (orthanc_process.h).

#include <gtest/gtest.h>

#include "dicom/orthanc_process.h"

namespace flowseg::test {

class OrthancServer : public ::testing::Test {
protected:
    void SetUp() override {
        if (!fs::exists(kOrthanc))
            GTEST_SKIP() << "orthanc is not installed (tools/install-deps.sh installs it)";
        const auto error = m_server.start("flowseg_orthanc");
        m_dir = m_server.dir();
        if (!error.empty()) FAIL() << error;
    }
    void TearDown() override { m_server.stop(); }
    [[nodiscard]] PacsClient client(int timeout = 5) const { return m_server.client(timeout); }
    void killServer() { m_server.kill(); }
    [[nodiscard]] int movePort() const { return m_server.movePort(); }

    OrthancProcess m_server;
    fs::path m_dir;
};

}  // namespace flowseg::test
