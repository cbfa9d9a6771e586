// The tests' precompiled header: medic's third-party headers and googletest's.
#pragma once

#include "third_party.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
