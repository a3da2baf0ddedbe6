#pragma once
// A umockdev testbed for one test: a private /sys and /dev that the program under test
// (this process, and children it starts) sees instead of the real ones, with device
// nodes whose ioctls are answered by C++ models in this process. README.md says how it
// works and what to watch out for.
#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

typedef struct _UMockdevTestbed UMockdevTestbed;
typedef struct _UMockdevIoctlBase UMockdevIoctlBase;
typedef struct _UMockdevIoctlClient UMockdevIoctlClient;
typedef struct _UMockdevIoctlData UMockdevIoctlData;

namespace umock {

// True when libumockdev-preload is loaded into this process: without it the testbed
// exists on disk but nothing is redirected into it.
bool preload_active();

// Memory of the program under test that an ioctl argument points at, copied into this
// process. Changes to bytes() go back to the caller when the ioctl completes.
class ClientMemory {
public:
    ClientMemory() = default;
    explicit ClientMemory(UMockdevIoctlData* data) : data_(data) {}
    ~ClientMemory();
    ClientMemory(ClientMemory&& other) noexcept : data_(other.data_) { other.data_ = nullptr; }
    ClientMemory& operator=(ClientMemory&& other) noexcept;
    ClientMemory(const ClientMemory&) = delete;
    ClientMemory& operator=(const ClientMemory&) = delete;

    // Null pointer (or zero length) in the caller: there is nothing to read or write.
    bool valid() const { return data_ != nullptr; }
    std::span<std::uint8_t> bytes() const;
    template <typename T>
    T& as() const {
        return *reinterpret_cast<T*>(bytes().data());
    }
    // The `len` bytes that the pointer stored at `offset` inside this memory points at.
    ClientMemory pointee(std::size_t offset, std::size_t len) const;

private:
    UMockdevIoctlData* data_ = nullptr;
};

// One ioctl, read() or write() a program made on a node with a handler attached.
class IoctlCall {
public:
    explicit IoctlCall(UMockdevIoctlClient* client) : client_(client) {}
    unsigned long request() const;
    std::string devnode() const;
    // The argument passed by value (an int, a flag).
    unsigned long value() const;
    // The `len` bytes the argument points at.
    ClientMemory pointee(std::size_t len) const;
    // Lets the ioctl run for real in the caller (on a pty node: the pty's own answer);
    // the result, or -errno. Resolve no memory before this.
    long run_in_caller() const;
    // For a read() or write() on the node: the caller's buffer, as long as the count it
    // passed, already holding what the caller's memory holds. Changes go back to it.
    ClientMemory buffer() const;

private:
    UMockdevIoctlClient* client_;
};

// A device model answering ioctls on one node. ioctl() returns the result the caller's
// ioctl() returns, or -errno for a failure. It runs on umockdev's worker thread while
// the caller is blocked in its ioctl().
class IoctlHandler {
public:
    // read()/write() not taken by the model: the call goes to the node's file itself.
    static constexpr long kNotHandled = LONG_MIN;

    IoctlHandler();
    virtual ~IoctlHandler();
    IoctlHandler(const IoctlHandler&) = delete;
    IoctlHandler& operator=(const IoctlHandler&) = delete;
    virtual long ioctl(IoctlCall& call) = 0;
    // umockdev 0.17 routes read() and write() on a node with a handler here as well
    // (call.buffer() is the caller's buffer): the count the caller's read()/write()
    // returns, or -errno, or kNotHandled.
    virtual long read(IoctlCall&) { return kNotHandled; }
    virtual long write(IoctlCall&) { return kNotHandled; }
    UMockdevIoctlBase* base() const { return base_; }

private:
    UMockdevIoctlBase* base_;
    unsigned long signal_ids_[3] = {};
};

class Testbed {
public:
    Testbed();
    ~Testbed();
    Testbed(const Testbed&) = delete;
    Testbed& operator=(const Testbed&) = delete;

    // Devices in umockdev-record's text format: "P: /devices/...", "A: attr=value",
    // "E: PROPERTY=value", "L: link=target", "N: node[=hex contents]", blank line between
    // devices. "N: name" without contents makes the node a pty (see pty_master).
    void add_from_string(const std::string& description);
    // Bytes as the record format's "N: node=HEX" and "H: attr=HEX" want them: upper-case
    // digits only (umockdev rejects the line otherwise).
    static std::string record_hex(std::span<const std::uint8_t> bytes);
    // A plain file /dev/NAME (a node with no data of its own, for ioctl handlers), with
    // the .node entry that makes stat() report a character device `major:minor`.
    void add_node(const std::string& devnode, const std::string& major_minor);
    // The same, but the file is a FIFO: what poll() on the caller's fd reports is then
    // up to the model, which keeps the FIFO holding a byte while it has data to read
    // (see hidraw_model.hpp).
    void add_fifo_node(const std::string& devnode, const std::string& major_minor);
    // Writes a file below the testbed's root: "sys/module/spidev/parameters/bufsiz".
    void write_file(const std::string& relative, std::span<const std::uint8_t> bytes);
    void write_file(const std::string& relative, const std::string& text);
    // The host-side path of "/dev/i2c-1" or "/sys/...": for chmod and the like.
    std::filesystem::path host_path(const std::string& absolute) const;
    // Answers ioctls on `devnode` with `handler` until the testbed goes; the handler must
    // outlive the testbed (declare it after the testbed).
    void attach(const std::string& devnode, IoctlHandler& handler);
    // The same for a model that drives umockdev's ioctl API itself (a usbfs node, whose
    // URBs complete in later ioctls than the one submitting them).
    void attach(const std::string& devnode, UMockdevIoctlBase* handler);
    // Test side of a pty node ("N: ttyUSB0" without contents).
    int pty_master(const std::string& devnode) const;
    const std::filesystem::path& root() const { return root_; }
    UMockdevTestbed* get() const { return testbed_; }

private:
    UMockdevTestbed* testbed_;
    std::filesystem::path root_;
    std::vector<std::string> attached_;
};

struct ChildResult {
    int exit_code = -1;  // 128 + signal when killed, -1 when it did not start
    std::string out;
    std::string err;
    bool timed_out = false;
};

struct ChildOptions {
    std::chrono::milliseconds timeout = std::chrono::seconds(30);
    // Run the program without the capabilities that let root ignore file modes (see
    // file_access_guard.hpp), so a mode-000 node is refused as it is to a user.
    bool without_file_access = false;
    // Send SIGINT (Ctrl-C) once the child's stderr holds this text; empty: never.
    std::string interrupt_when = {};
};

// Runs argv[0] (a path) as a child of this process, which inherits UMOCKDEV_DIR and
// LD_PRELOAD and so sees the same testbed. This process keeps iterating the default GLib
// main context while it waits, so handlers that defer their completion to it still run.
ChildResult run_child(const std::vector<std::string>& argv, const ChildOptions& options = {});

}  // namespace umock
