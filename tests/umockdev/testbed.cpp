#include "testbed.hpp"

#include "file_access_guard.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <umockdev.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace umock {
namespace {

std::string take_error(GError* error) {
    std::string text = error ? error->message : "unknown error";
    if (error) g_error_free(error);
    return text;
}

enum class Op { ioctl, read, write };

template <Op op>
gboolean on_handle(UMockdevIoctlBase*, UMockdevIoctlClient* client, gpointer self) {
    auto* handler = static_cast<IoctlHandler*>(self);
    IoctlCall call(client);
    long result;
    try {
        result = op == Op::ioctl ? handler->ioctl(call) : op == Op::read ? handler->read(call) : handler->write(call);
    } catch (const std::exception& e) {
        // No exception may cross into GLib: fail the caller's call loudly instead.
        std::fprintf(stderr, "umockdev handler for %s threw: %s\n", call.devnode().c_str(), e.what());
        result = -EIO;
    }
    if (result == IoctlHandler::kNotHandled) return FALSE;  // umockdev runs it on the file
    if (result < 0)
        umockdev_ioctl_client_complete(client, -1, static_cast<gint>(-result));
    else
        umockdev_ioctl_client_complete(client, result, 0);
    return TRUE;
}

}  // namespace

bool preload_active() {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line))
        if (line.find("libumockdev-preload") != std::string::npos) return true;
    return false;
}

ClientMemory::~ClientMemory() {
    if (data_) g_object_unref(data_);
}

ClientMemory& ClientMemory::operator=(ClientMemory&& other) noexcept {
    if (this != &other) {
        if (data_) g_object_unref(data_);
        data_ = other.data_;
        other.data_ = nullptr;
    }
    return *this;
}

std::span<std::uint8_t> ClientMemory::bytes() const {
    if (!data_) return {};
    return {data_->data, static_cast<std::size_t>(data_->data_len)};
}

ClientMemory ClientMemory::pointee(std::size_t offset, std::size_t len) const {
    if (!data_ || offset + sizeof(void*) > static_cast<std::size_t>(data_->data_len)) return {};
    GError* error = nullptr;
    UMockdevIoctlData* d = umockdev_ioctl_data_resolve(data_, offset, len, &error);
    if (error) throw std::runtime_error("cannot read the caller's memory: " + take_error(error));
    return ClientMemory(d);  // null for a null pointer or len 0
}

unsigned long IoctlCall::request() const {
    return umockdev_ioctl_client_get_request(client_);
}

std::string IoctlCall::devnode() const {
    const char* d = umockdev_ioctl_client_get_devnode(client_);
    return d ? d : "";
}

unsigned long IoctlCall::value() const {
    UMockdevIoctlData* arg = umockdev_ioctl_client_get_arg(client_);
    unsigned long v = 0;
    std::copy_n(arg->data, std::min<std::size_t>(sizeof v, static_cast<std::size_t>(arg->data_len)),
                reinterpret_cast<std::uint8_t*>(&v));
    return v;
}

ClientMemory IoctlCall::pointee(std::size_t len) const {
    UMockdevIoctlData* arg = umockdev_ioctl_client_get_arg(client_);
    GError* error = nullptr;
    UMockdevIoctlData* d = umockdev_ioctl_data_resolve(arg, 0, len, &error);
    if (error) throw std::runtime_error("cannot read the caller's memory: " + take_error(error));
    return ClientMemory(d);
}

ClientMemory IoctlCall::buffer() const {
    UMockdevIoctlData* arg = umockdev_ioctl_client_get_arg(client_);
    if (!arg || arg->data_len <= 0) return {};
    return ClientMemory(static_cast<UMockdevIoctlData*>(g_object_ref(arg)));
}

long IoctlCall::run_in_caller() const {
    gint err = 0;
    GError* error = nullptr;
    const gint r = umockdev_ioctl_client_execute(client_, &err, &error);
    if (error) throw std::runtime_error("cannot run the ioctl in the caller: " + take_error(error));
    return r < 0 ? -err : r;
}

IoctlHandler::IoctlHandler() : base_(umockdev_ioctl_base_new()) {
    signal_ids_[0] = g_signal_connect(base_, "handle-ioctl", G_CALLBACK(on_handle<Op::ioctl>), this);
    signal_ids_[1] = g_signal_connect(base_, "handle-read", G_CALLBACK(on_handle<Op::read>), this);
    signal_ids_[2] = g_signal_connect(base_, "handle-write", G_CALLBACK(on_handle<Op::write>), this);
}

IoctlHandler::~IoctlHandler() {
    for (const auto id : signal_ids_) g_signal_handler_disconnect(base_, id);
    g_object_unref(base_);
}

Testbed::Testbed() : testbed_(umockdev_testbed_new()) {
    gchar* root = umockdev_testbed_get_root_dir(testbed_);
    root_ = root;
    g_free(root);
}

Testbed::~Testbed() {
    for (const auto& node : attached_) umockdev_testbed_detach_ioctl(testbed_, node.c_str(), nullptr);
    g_object_unref(testbed_);
}

std::string Testbed::record_hex(std::span<const std::uint8_t> bytes) {
    static const char digits[] = "0123456789ABCDEF";
    std::string s;
    s.reserve(bytes.size() * 2);
    for (const std::uint8_t b : bytes) {
        s += digits[b >> 4];
        s += digits[b & 0xF];
    }
    return s;
}

void Testbed::add_from_string(const std::string& description) {
    GError* error = nullptr;
    if (!umockdev_testbed_add_from_string(testbed_, description.c_str(), &error))
        throw std::runtime_error("umockdev rejected the device description: " + take_error(error));
}

void Testbed::add_node(const std::string& devnode, const std::string& major_minor) {
    const std::string name = devnode.substr(std::string("/dev/").size());
    write_file("dev/" + name, std::string());
    // umockdev makes this entry itself for devices with DEVNAME and a dev attribute.
    const auto marker = root_ / "dev/.node" / name;
    if (std::filesystem::is_symlink(marker)) return;
    std::filesystem::create_directories(marker.parent_path());
    std::filesystem::create_symlink(major_minor, marker);
}

void Testbed::add_fifo_node(const std::string& devnode, const std::string& major_minor) {
    add_node(devnode, major_minor);
    const auto path = host_path(devnode);
    std::filesystem::remove(path);
    if (::mkfifo(path.c_str(), 0666) != 0)
        throw std::runtime_error("cannot make the FIFO " + path.string() + ": " + std::strerror(errno));
}

void Testbed::write_file(const std::string& relative, std::span<const std::uint8_t> bytes) {
    const auto path = root_ / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!f) throw std::runtime_error("cannot write " + path.string());
}

void Testbed::write_file(const std::string& relative, const std::string& text) {
    write_file(relative, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

std::filesystem::path Testbed::host_path(const std::string& absolute) const {
    return root_ / std::filesystem::path(absolute).relative_path();
}

void Testbed::attach(const std::string& devnode, IoctlHandler& handler) {
    attach(devnode, handler.base());
}

void Testbed::attach(const std::string& devnode, UMockdevIoctlBase* handler) {
    GError* error = nullptr;
    if (!umockdev_testbed_attach_ioctl(testbed_, devnode.c_str(), handler, &error))
        throw std::runtime_error("cannot attach an ioctl handler to " + devnode + ": " + take_error(error));
    attached_.push_back(devnode);
}

int Testbed::pty_master(const std::string& devnode) const {
    return umockdev_testbed_get_dev_fd(testbed_, devnode.c_str());
}

ChildResult run_child(const std::vector<std::string>& argv, const ChildOptions& options) {
    ChildResult result;
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return result;
    if (::pipe2(err, O_CLOEXEC) != 0) {
        ::close(out[0]);
        ::close(out[1]);
        return result;
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        // Only async-signal-safe calls here: umockdev's worker thread exists in the parent.
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        if (options.without_file_access && !drop_file_access_for_exec()) {
            static const char msg[] = "run_child: cannot drop CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH\n";
            (void)!::write(2, msg, sizeof msg - 1);
            ::_exit(126);
        }
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    ::close(out[1]);
    ::close(err[1]);
    if (pid < 0) {
        ::close(out[0]);
        ::close(err[0]);
        return result;
    }
    const auto deadline = std::chrono::steady_clock::now() + options.timeout;
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    int open_pipes = 2;
    int status = 0;
    bool exited = false;
    bool interrupted = false;
    while (!exited || open_pipes > 0) {
        while (g_main_context_iteration(nullptr, FALSE)) {
        }
        if (open_pipes > 0 && ::poll(fds, 2, 1) > 0) {
            for (int i = 0; i < 2; ++i) {
                if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
                char buf[4096];
                const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
                if (n > 0) {
                    sinks[i]->append(buf, static_cast<std::size_t>(n));
                } else if (n == 0 || errno != EINTR) {
                    ::close(fds[i].fd);
                    fds[i].fd = -1;
                    --open_pipes;
                }
            }
        } else if (open_pipes == 0) {
            ::usleep(1000);
        }
        if (!interrupted && !options.interrupt_when.empty() &&
            result.err.find(options.interrupt_when) != std::string::npos) {
            ::kill(pid, SIGINT);
            interrupted = true;
        }
        if (!exited && ::waitpid(pid, &status, WNOHANG) == pid) exited = true;
        if (exited && open_pipes > 0 && std::chrono::steady_clock::now() > deadline) break;  // a grandchild kept them
        if (!exited && std::chrono::steady_clock::now() > deadline) {
            result.timed_out = true;
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            exited = true;
        }
    }
    for (auto& f : fds)
        if (f.fd >= 0) ::close(f.fd);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
    return result;
}

}  // namespace umock
