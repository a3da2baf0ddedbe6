#pragma once
// Linux character device nodes (/dev/i2c-N, /dev/spidevB.C) and the sysfs files that
// describe them: opening with errors that say what to do, and listing what is present.
#include <string>
#include <string_view>
#include <vector>

namespace dfu::transports {

// An open file descriptor, closed on destruction.
class FileDescriptor {
public:
    FileDescriptor() = default;
    explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
    ~FileDescriptor();
    FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    FileDescriptor& operator=(FileDescriptor&& other) noexcept;
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const noexcept { return fd_; }

private:
    int fd_ = -1;
};

// How a kind of node is set up, for the messages when it cannot be opened.
struct DevNodeKind {
    std::string_view what;    // "I2C adapter"
    std::string_view module;  // kernel module that makes the nodes: "i2c-dev"
    std::string_view group;   // group that usually owns them: "i2c"
};

// Opens `path` read-write. Throws OpenError naming the node and saying what to do:
// load the module when it is missing, the group or udev rules when access is denied.
FileDescriptor open_dev_node(const std::string& path, const DevNodeKind& kind);

// "i2c-1" for "/dev/i2c-1": the name the node's sysfs entries go by.
std::string dev_node_name(const std::string& path);

// The first line of a sysfs attribute without the newline; empty when unreadable.
std::string read_sysfs_line(const std::string& path);

// "/dev/NAME" for every entry of /dev whose name is `prefix` followed by what
// `suffix_ok` accepts, in natural order (i2c-2 before i2c-10).
std::vector<std::string> list_dev_nodes(std::string_view prefix, bool (*suffix_ok)(std::string_view));

}  // namespace dfu::transports
