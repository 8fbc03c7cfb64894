// SPDX-License-Identifier: MIT
// kernel_backend.cpp: the backend over /dev/rtshm (rtshm.ko).
//
// Create and open are one ioctl each (include/uapi/rtshm.h), which returns a
// handle fd (O_CLOEXEC); the view is mmap(MAP_SHARED) of that fd. The module
// pins the pages, owns lifetime (last handle and mapping), permissions and
// the type check, so this file only translates requests, maps errno to Win32
// codes, and never leaves an fd or a mapping behind on failure (S10).
//
// /dev/rtshm is opened once per process (O_CLOEXEC). When it cannot be
// opened every call fails: ENOENT/ENODEV/ENXIO (module not loaded) ->
// ERROR_INVALID_HANDLE, EACCES/EPERM -> ERROR_ACCESS_DENIED, others ->
// ERROR_INVALID_HANDLE, with a one-time diagnostic on stderr. The code is
// deliberately not ERROR_FILE_NOT_FOUND, which a consumer polling for its
// producer would read as "not created yet" and wait on forever.
#include "backend.hpp"
#include "diag.hpp"
#include "errno_map.hpp"

#include <uapi/rtshm.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace rtshm::detail {

namespace {

class KernelMapping final : public Mapping {
public:
    int fd = -1;
    ~KernelMapping() override {
        if (addr != nullptr)
            ::munmap(addr, size);
        if (fd >= 0)
            ::close(fd);
    }
};

int xioctl(int fd, unsigned long req, void *arg) {
    int r;
    do
        r = ::ioctl(fd, req, arg);
    while (r < 0 && errno == EINTR);
    return r;
}

class KernelBackend final : public BackendImpl {
public:
    Backend kind() const noexcept override { return Backend::kernel; }

    std::expected<void, Error> usable() noexcept override {
        std::call_once(once_, [this] { open_device(); });
        if (ctl_ < 0)
            return std::unexpected(ctl_error_);
        return {};
    }

    MapResult create(const CreateRequest &req) override {
        if (auto u = usable(); !u)
            return std::unexpected(u.error());
        rtshm_create c{};
        if (!req.name.empty()) {
            c.name = reinterpret_cast<std::uintptr_t>(req.name.data());
            c.name_len = static_cast<__u32>(req.name.size());
        }
        c.flags = (req.exact_size ? RTSHM_CREATE_EXACT_SIZE : 0u) |
                  (req.read_only ? RTSHM_CREATE_READONLY : 0u) |
                  (req.exclusive ? RTSHM_CREATE_EXCL : 0u);
        c.size = req.size;
        c.type = req.type;
        c.mode = req.mode;
        if (xioctl(ctl_, RTSHM_IOC_CREATE, &c) < 0) {
            // EEXIST is a name of another type (S29), or any existing name
            // for an exclusive create.
            if (errno == EEXIST && req.exclusive)
                return std::unexpected(Error::already_exists);
            return std::unexpected(error_from_errno(errno));
        }
        return finish(c.fd, !req.read_only, c.result == RTSHM_RESULT_CREATED, c.id, c.size);
    }

    MapResult open(const OpenRequest &req) override {
        if (auto u = usable(); !u)
            return std::unexpected(u.error());
        rtshm_open o{};
        o.name = reinterpret_cast<std::uintptr_t>(req.name.data());
        o.name_len = static_cast<__u32>(req.name.size());
        o.flags = req.write ? RTSHM_OPEN_WRITE : 0u;
        o.type = req.type;
        if (xioctl(ctl_, RTSHM_IOC_OPEN, &o) < 0)
            return std::unexpected(error_from_errno(errno));
        return finish(o.fd, req.write, false, o.id, o.size);
    }

    std::expected<std::vector<ObjectInfo>, Error> list() override {
        std::vector<ObjectInfo> out;
        std::vector<rtshm_stat> page(32);
        rtshm_list req{};
        for (;;) {
            req.entries = reinterpret_cast<std::uintptr_t>(page.data());
            req.max_entries = static_cast<__u32>(page.size());
            req.count = 0;
            if (xioctl(ctl_, RTSHM_IOC_LIST, &req) < 0)
                return std::unexpected(error_from_errno(errno));
            for (std::uint32_t i = 0; i < req.count; ++i)
                out.push_back(to_info(page[i]));
            if (req.next_id == 0)
                return out;
            req.start_id = req.next_id;
        }
    }

private:
    static ObjectInfo to_info(const rtshm_stat &st) {
        ObjectInfo o;
        o.id = st.id;
        if (st.flags & RTSHM_STAT_NAMED)
            o.name.emplace(st.name, std::min<std::size_t>(st.name_len, RTSHM_NAME_MAX));
        o.size = st.size;
        o.allocated_bytes = st.pinned_bytes;
        o.handles = st.handles;
        o.mappings = st.mappings;
        o.uid = st.uid;
        o.gid = st.gid;
        o.mode = st.mode;
        o.creator_pid = st.creator_pid;
        o.read_only = (st.flags & RTSHM_STAT_READONLY) != 0;
        o.type = st.type;
        return o;
    }

    void open_device() {
        int fd = ::open(RTSHM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
        if (fd >= 0) {
            ctl_ = fd;
            return;
        }
        int err = errno;
        ctl_error_ = (err == EACCES || err == EPERM) ? Error::access_denied : Error::invalid_handle;
        diag_once(Diag::kernel_unusable,
                  "kernel backend selected but %s cannot be opened (%s)%s; every create/open "
                  "fails with %s (%u)",
                  RTSHM_DEVICE_PATH, std::strerror(err),
                  (err == ENOENT || err == ENODEV || err == ENXIO) ? ": is rtshm.ko loaded?" : "",
                  to_string(ctl_error_).data(), static_cast<unsigned>(ctl_error_));
    }

    // The module puts every page-table entry in place inside mmap (S25), under
    // this process's mmap write lock; so a big view is mapped in pieces over
    // a reserved range, and other threads of the process wait at most one
    // piece's time behind it (RTSHM_MAP_PIECE_BYTES). Each piece is a VMA of
    // its own, counted against vm.max_map_count: piece_bytes() keeps a view
    // to a sixteenth of that limit, and when the limit refuses a piece
    // anyway (ENOMEM; the kernel lets splits pass the limit, then refuses
    // every mmap) the pieces go and the view is mapped again in one. MAP_FAILED
    // with errno on failure, and then nothing stays mapped.
    static void *map_in_pieces(int fd, std::uint64_t size, int prot) {
        if (size <= RTSHM_MAP_PIECE_BYTES)
            return ::mmap(nullptr, size, prot, MAP_SHARED, fd, 0);
        void *base =
            ::mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (base == MAP_FAILED)
            return MAP_FAILED;
        auto *b = static_cast<std::byte *>(base);
        const std::uint64_t piece = piece_bytes(size);
        for (std::uint64_t off = 0; off < size; off += piece) {
            std::uint64_t len = std::min<std::uint64_t>(piece, size - off);
            if (::mmap(b + off, len, prot, MAP_SHARED | MAP_FIXED, fd, static_cast<off_t>(off)) ==
                MAP_FAILED) {
                int err = errno;
                ::munmap(base, size);
                if (err == ENOMEM) // the map count, most likely: the view as one VMA
                    return ::mmap(nullptr, size, prot, MAP_SHARED, fd, 0);
                errno = err;
                return MAP_FAILED;
            }
        }
        return base;
    }

    // The size of the pieces of a view of size bytes: RTSHM_MAP_PIECE_BYTES,
    // or a multiple of it that keeps the view to max_map_count / 16 pieces
    // (a 64 GiB view under the default limit of 65530: 16 MiB pieces).
    static std::uint64_t piece_bytes(std::uint64_t size) {
        static const std::uint64_t max_pieces = [] {
            long limit = 65530; // DEFAULT_MAX_MAP_COUNT
            if (FILE *f = std::fopen("/proc/sys/vm/max_map_count", "re")) {
                if (std::fscanf(f, "%ld", &limit) != 1)
                    limit = 65530;
                std::fclose(f);
            }
            return static_cast<std::uint64_t>(std::max(limit / 16, 1L));
        }();
        const std::uint64_t unit = RTSHM_MAP_PIECE_BYTES;
        std::uint64_t pieces_of_unit = (size + unit - 1) / unit;
        std::uint64_t units_per_piece = (pieces_of_unit + max_pieces - 1) / max_pieces;
        return units_per_piece * unit;
    }

    // Maps the handle and owns the fd from here on: any failure closes it,
    // so nothing is left (S10). The create or open ioctl already said the
    // map size, and the module refuses a writable handle it cannot give, so
    // no RTSHM_IOC_QUERY is needed here (one system call fewer per call).
    MapResult finish(int fd, bool want_write, bool created, std::uint64_t id, std::uint64_t size) {
        auto m = std::make_unique<KernelMapping>();
        m->fd = fd;
        m->kind = Backend::kernel;
        m->created = created;
        m->id = id;
        bool writable = want_write;
        if (size == 0)
            return std::unexpected(Error::invalid_parameter);
        int prot = PROT_READ | (writable ? PROT_WRITE : 0);
        void *p = map_in_pieces(fd, size, prot);
        if (p == MAP_FAILED) {
            int err = errno;
            if (err == EAGAIN)
                diag_mmap_memlock(size);
            return std::unexpected(err == EACCES || err == EPERM ? Error::access_denied
                                                                 : Error::not_enough_memory);
        }
        m->addr = static_cast<std::byte *>(p);
        m->size = size;
        m->writable = writable;
        m->locked = true; // the module pins every page of the object (S25)
        return m;
    }

    std::once_flag once_;
    int ctl_ = -1;
    Error ctl_error_ = Error::invalid_handle;
};

} // namespace

BackendImpl &kernel_backend() {
    static KernelBackend *b = new KernelBackend; // never destroyed: usable during exit
    return *b;
}

} // namespace rtshm::detail
