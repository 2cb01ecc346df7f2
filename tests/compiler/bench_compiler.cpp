// bench_compiler DIR: for every NAME.lisp with a NAME.c beside it, compares the number of
// BPF instructions we emit with clang -O2 -target bpf on the C version, and the compile
// times. Instruction counts are read back with libbpf (sum over the object's programs).
#include "compiler/compile.h"

#include <bpf/libbpf.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

int silent(enum libbpf_print_level, const char *, va_list) {
  return 0;
}

long count_insns(const std::string &path) {
  bpf_object *obj = bpf_object__open_file(path.c_str(), nullptr);
  if (!obj) return -1;
  long total = 0;
  bpf_program *prog;
  bpf_object__for_each_program(prog, obj) total += static_cast<long>(bpf_program__insn_cnt(prog));
  bpf_object__close(obj);
  return total;
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: bench_compiler DIR\n");
    return 2;
  }
  libbpf_set_print(silent);
  std::vector<fs::path> programs;
  for (const auto &entry : fs::directory_iterator(argv[1]))
    if (entry.path().extension() == ".lisp" &&
        fs::exists(fs::path(entry.path()).replace_extension(".c")))
      programs.push_back(entry.path());
  std::sort(programs.begin(), programs.end());
  fs::path tmp = fs::temp_directory_path() / "xdpchain_bench_compiler";
  fs::create_directories(tmp);

  std::printf("%-16s %8s %8s %7s %12s %12s\n", "program", "xdpchain", "clang", "ratio", "ours (ms)",
              "clang (ms)");
  long ours_total = 0, clang_total = 0;
  double worst = 0;
  int failures = 0;
  for (const fs::path &lisp : programs) {
    std::string name = lisp.stem().string();
    const int runs = 50;
    std::vector<uint8_t> elf;
    auto start = Clock::now();
    for (int i = 0; i < runs; ++i) {
      auto out = xdpchain::compiler::compile_file(lisp.string());
      if (!out) {
        std::fprintf(stderr, "%s: %s\n", name.c_str(), out.error().str().c_str());
        return 1;
      }
      elf = std::move(*out);
    }
    double ours_ms = ms_since(start) / runs;
    std::string ours_path = (tmp / (name + ".o")).string();
    std::ofstream(ours_path, std::ios::binary)
        .write(reinterpret_cast<const char *>(elf.data()), elf.size());
    std::string clang_path = (tmp / (name + ".clang.o")).string();
    std::string command = "clang -O2 -g -target bpf -I/usr/include/" XDPCHAIN_MULTIARCH " -c " +
                          fs::path(lisp).replace_extension(".c").string() + " -o " + clang_path;
    start = Clock::now();
    int rc = std::system(command.c_str());
    double clang_ms = ms_since(start);
    long ours = count_insns(ours_path);
    long theirs = rc == 0 ? count_insns(clang_path) : -1;
    if (ours < 0 || theirs <= 0) {
      std::printf("%-16s %8ld %8s\n", name.c_str(), ours, "failed");
      ++failures;
      continue;
    }
    double ratio = static_cast<double>(ours) / static_cast<double>(theirs);
    worst = std::max(worst, ratio);
    ours_total += ours;
    clang_total += theirs;
    std::printf("%-16s %8ld %8ld %7.2f %12.3f %12.1f\n", name.c_str(), ours, theirs, ratio, ours_ms,
                clang_ms);
  }
  if (clang_total > 0)
    std::printf("%-16s %8ld %8ld %7.2f\n", "total", ours_total, clang_total,
                static_cast<double>(ours_total) / static_cast<double>(clang_total));
  std::printf("worst ratio %.2f (target: at most 1.10)\n", worst);
  return failures ? 1 : 0;
}
