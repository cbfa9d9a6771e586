#pragma once
// The web UI (ui/dist, built by `make ui`), embedded in the binary at build time.

#include <span>
#include <string_view>

namespace medic::api {

struct StaticFile {
    std::string_view path; ///< "/index.html", "/assets/app.js"
    std::string_view content_type;
    std::string_view body;
};

/// Every embedded file; when the UI was not built, one index.html that says so.
std::span<const StaticFile> embedded_ui_files();

} // namespace medic::api
