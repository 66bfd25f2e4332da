#pragma once
// The flags of `flowseg db`'s subcommands, and the ones command_db_import.cpp
// holds (internal to the command line).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace flowseg::cli {

struct DbFlags {
    std::string database = "flowseg.db";
    std::string folder;
    std::string out;
    std::string from;
    std::int64_t lesion = 0;
    std::int64_t series = 0;
    std::string expert;
    std::string role = "radiologist";
    std::string mask;
    std::string label = "lesion";
    std::string state;
    std::string note;
    int slice = 0;
    std::vector<int> box;
    std::string lidcXml;
    std::vector<std::string> segs;
    std::string caseFolder;
    std::string login;
    std::string accountRole = "reader";
    bool json = false;
};

/// flowseg db import-study: the DICOM studies below a folder (headers only).
void runImport(const DbFlags& f);
/// flowseg db import-readers: LIDC XML, DICOM SEG or a folder case's masks as experts.
void runImportReaders(const DbFlags& f);

}  // namespace flowseg::cli

namespace CLI {
class App;
}

namespace flowseg::cli {
/// flowseg db user ...: accounts on a PostgreSQL store (command_db_user.cpp).
void addDbUserCommand(CLI::App& db, const std::shared_ptr<DbFlags>& f);
}  // namespace flowseg::cli
