#pragma once
// The classifier with medic's own catalog (rules/*.yaml, embedded), compiled once per test binary.

#include <stdexcept>

#include "classify/classifier.hpp"

namespace medic::classify {

inline Classifier& embedded()
{
    static Classifier classifier = [] {
        auto compiled = Classifier::create_embedded();
        if (!compiled) {
            throw std::runtime_error(compiled.error().message);
        }
        return std::move(*compiled);
    }();
    return classifier;
}

} // namespace medic::classify
