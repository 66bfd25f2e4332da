#pragma once
// The per-installation secret that keys pseudonyms and replacement UIDs
// (HMAC-SHA-256), so that a list of patient IDs does not reverse them.

#include <string>

namespace flowseg::common {

/// $XDG_CONFIG_HOME/flowseg/pseudonym.key (default ~/.config/flowseg/pseudonym.key).
std::string installationSecretPath();

/// The secret's 32 bytes. Created on first use from the system's random source,
/// mode 0600 in a 0700 folder, atomically (two processes starting at once agree
/// on one secret). A file of the wrong size or readable by others is refused:
/// throws std::runtime_error naming the file and the fix.
std::string installationSecret();

}  // namespace flowseg::common
