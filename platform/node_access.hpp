#pragma once
// Why a library (hidapi) could not open a device node it keeps no errno for.
#include <string>

namespace dfu::platform {

// The errno of checking that this user may read and write the node at `path` (EACCES,
// ENOENT, ...); 0 when it may, or where device paths are no files (Windows).
int node_access_errno(const std::string& path);

}  // namespace dfu::platform
