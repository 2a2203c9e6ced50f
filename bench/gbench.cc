// gbench.cc - the C interface of gbench.h over Google Benchmark.
#include "gbench.h"

#include <benchmark/benchmark.h>

#include <string>

static benchmark::State &S(gbench_state *st)
{
    return *reinterpret_cast<benchmark::State *>(st);
}

extern "C" void gbench_register(const char *name, gbench_fn fn, void *arg,
                                const gbench_opts *o)
{
    auto *b = benchmark::RegisterBenchmark(
        std::string(name).c_str(), [fn, arg](benchmark::State &st) {
            fn(reinterpret_cast<gbench_state *>(&st), arg);
        });
    b->Unit(benchmark::kNanosecond);
    if (o == nullptr)
        return;
    if (o->iterations > 0)
        b->Iterations(o->iterations);
    if (o->min_time > 0)
        b->MinTime(o->min_time);
    if (o->repetitions > 1)
        b->Repetitions(o->repetitions);
    if (o->manual_time)
        b->UseManualTime();
}

extern "C" bool gbench_keep_running(gbench_state *st)
{
    return S(st).KeepRunning();
}

extern "C" bool gbench_keep_running_batch(gbench_state *st, int64_t n)
{
    return S(st).KeepRunningBatch(static_cast<benchmark::IterationCount>(n));
}

extern "C" void gbench_pause(gbench_state *st) { S(st).PauseTiming(); }
extern "C" void gbench_resume(gbench_state *st) { S(st).ResumeTiming(); }

extern "C" void gbench_set_iteration_time(gbench_state *st, double seconds)
{
    S(st).SetIterationTime(seconds);
}

extern "C" void gbench_set_bytes_processed(gbench_state *st, int64_t bytes)
{
    S(st).SetBytesProcessed(bytes);
}

extern "C" void gbench_set_label(gbench_state *st, const char *label)
{
    S(st).SetLabel(label);
}

extern "C" void gbench_skip_with_error(gbench_state *st, const char *msg)
{
    S(st).SkipWithError(msg);
}

extern "C" int64_t gbench_iterations(const gbench_state *st)
{
    return static_cast<int64_t>(
        reinterpret_cast<const benchmark::State *>(st)->iterations());
}

extern "C" void gbench_counter(gbench_state *st, const char *name, double v)
{
    S(st).counters[name] = benchmark::Counter(v);
}

extern "C" int gbench_main(int argc, char **argv)
{
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
