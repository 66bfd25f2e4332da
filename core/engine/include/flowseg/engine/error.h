#pragma once
// Typed errors raised at the engine's boundary. Each message says what is wrong
// and, where it can, what the user should do about it.

#include <stdexcept>
#include <string>

namespace flowseg::engine {

/// Base of every error the engine raises on purpose.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The caller passed something unusable (wrong size, empty set, bad option).
class InvalidInput : public Error {
public:
    using Error::Error;
};

/// A checkpoint file is missing, truncated, corrupt, foreign or holds non-finite weights.
class CheckpointError : public Error {
public:
    using Error::Error;
};

/// The requested compute device is not available.
class DeviceError : public Error {
public:
    using Error::Error;
};

/// Long work stopped because the caller asked it to.
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

}  // namespace flowseg::engine
