#pragma once
// A failed probe as a finding, classified like any other signal: the cause of a
// failed Redis save from the server's own last lines (a full disk, a folder it may not
// write), else the probe's answer on the probe channel, else HEALTH_CHECK_FAILED.

#include "classify/classifier.hpp"
#include "probe/probe.hpp"

namespace medic::probe {

classify::Finding finding_for(classify::Classifier& classifier, const ProbeSpec& spec, const ProbeResult& result);

} // namespace medic::probe
