#pragma once
// The message of the usage refusal (dfu::Error, exit 2) that `call` must throw; the test
// fails when it is accepted instead or refused with another exit code.
#include <doctest/doctest.h>

#include <string>

#include "core/error.hpp"

template <typename F>
std::string usage_refusal(F&& call) {
    try {
        call();
    } catch (const dfu::Error& e) {
        CHECK(e.code() == dfu::ExitCode::usage);
        return e.what();
    }
    FAIL("accepted: expected a refusal");
    return {};
}
