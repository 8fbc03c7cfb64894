// SPDX-License-Identifier: MIT
// compat_main.cpp: librtshm_compat.a, the entry point of UNICODE programs
// that define wmain (or _tmain with UNICODE) instead of main (S60).
//
// A weak main, in an archive of its own: the linker takes it only when the
// program has no main of its own, and a program's main always wins. It
// converts argv from the environment's LC_CTYPE encoding (the program's own
// locale stays "C", as a Windows program's does) to wide strings, U+FFFD
// for bytes that do not convert, and calls wmain: UTF-32 for wchar_t of 32
// bits, UTF-16 (surrogate pairs) for a -fshort-wchar program, whose
// <tchar.h> names its wmain RtShmWmainUtf16.
//
// Uses the C library only (malloc, mbrtowc): a C program links this
// archive without the C++ run time.
#include <clocale>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cwchar>
#include <locale.h>

extern "C" {
int wmain(int argc, wchar_t **argv) __attribute__((weak));
int RtShmWmainUtf16(int argc, std::uint16_t **argv) __attribute__((weak));
}

namespace {

// The code points of s (at most strlen(s) of them) into out; their count.
std::size_t decode(const char *s, std::uint32_t *out) {
    std::size_t len = std::strlen(s), n = 0;
    std::mbstate_t st{};
    while (len > 0) {
        wchar_t wc = 0;
        std::size_t r = std::mbrtowc(&wc, s, len, &st);
        if (r == static_cast<std::size_t>(-1) || r == static_cast<std::size_t>(-2) || r == 0) {
            out[n++] = 0xFFFD; // an invalid or truncated sequence: one byte
            st = std::mbstate_t{};
            r = 1;
        } else {
            auto c = static_cast<std::uint32_t>(wc);
            out[n++] = (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) ? 0xFFFD : c;
        }
        s += r;
        len -= r;
    }
    return n;
}

[[noreturn]] void out_of_memory() {
    std::fputs("rtshm: out of memory converting the arguments for wmain\n", stderr);
    std::exit(127);
}

void *xcalloc(std::size_t n, std::size_t size) {
    void *p = std::calloc(n == 0 ? 1 : n, size);
    if (p == nullptr)
        out_of_memory();
    return p;
}

// The converted argv, kept (reachable) for the whole run, as argv is.
std::uint32_t **volatile g_args32;
std::uint16_t **volatile g_args16;

} // namespace

__attribute__((weak)) int main(int argc, char **argv) {
    if (wmain == nullptr && RtShmWmainUtf16 == nullptr) {
        std::fputs("rtshm: this program defines neither main nor wmain\n", stderr);
        return 127;
    }
    locale_t env = ::newlocale(LC_CTYPE_MASK, "", static_cast<locale_t>(nullptr));
    locale_t old = env != static_cast<locale_t>(nullptr) ? ::uselocale(env) : nullptr;
    auto **args32 = static_cast<std::uint32_t **>(xcalloc(argc + 1u, sizeof(void *)));
    g_args32 = args32;
    auto *lens = static_cast<std::size_t *>(xcalloc(argc + 1u, sizeof(std::size_t)));
    for (int i = 0; i < argc; ++i) {
        args32[i] = static_cast<std::uint32_t *>(xcalloc(std::strlen(argv[i]) + 1, 4));
        lens[i] = decode(argv[i], args32[i]);
    }
    if (old != nullptr)
        ::uselocale(old);
    if (env != static_cast<locale_t>(nullptr))
        ::freelocale(env);
    if (RtShmWmainUtf16 != nullptr) {
        auto **args16 = static_cast<std::uint16_t **>(xcalloc(argc + 1u, sizeof(void *)));
        g_args16 = args16;
        for (int i = 0; i < argc; ++i) {
            auto *u = static_cast<std::uint16_t *>(xcalloc(2 * lens[i] + 1, 2));
            std::size_t k = 0;
            for (std::size_t j = 0; j < lens[i]; ++j) {
                std::uint32_t c = args32[i][j];
                if (c >= 0x10000) {
                    c -= 0x10000;
                    u[k++] = static_cast<std::uint16_t>(0xD800 + (c >> 10));
                    u[k++] = static_cast<std::uint16_t>(0xDC00 + (c & 0x3FF));
                } else {
                    u[k++] = static_cast<std::uint16_t>(c);
                }
            }
            args16[i] = u;
            std::free(args32[i]);
            args32[i] = nullptr;
        }
        std::free(lens);
        return RtShmWmainUtf16(argc, args16);
    }
    static_assert(sizeof(wchar_t) == 4, "librtshm_compat is built with 32-bit wchar_t");
    std::free(lens);
    return wmain(argc, reinterpret_cast<wchar_t **>(args32));
}
