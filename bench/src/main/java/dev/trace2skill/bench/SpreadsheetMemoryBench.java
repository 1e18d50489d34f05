package dev.trace2skill.bench;

import dev.trace2skill.core.data.SharedData;
import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.core.tasks.TaskSets;
import dev.trace2skill.env.CheckOptions;
import dev.trace2skill.env.CheckResult;
import dev.trace2skill.env.TaskEnvironments;
import dev.trace2skill.env.Workspace;
import dev.trace2skill.env.sheet.SpreadsheetSettings;
import dev.trace2skill.env.sheet.SpreadsheetTaskFiles;
import dev.trace2skill.env.sheet.WorkbookMemory;
import dev.trace2skill.env.sheet.WorkbookTools;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Memory of spreadsheet episodes (issue 13): N episodes started at once (default 16) on the N largest input workbooks
 * of SpreadsheetBench Verified, each opening its private copy, listing, reading, finding, writing a formula,
 * recalculating, finishing and being checked (recalculated and compared, official mode). Loads go through task-env's
 * workbook memory budget (half the heap), so episodes wait rather than exhaust the heap. Prints the peak heap in use,
 * the most heap left after a collection (live), the peak resident set (VmRSS, sampled every 50 ms, and VmHWM), the
 * most workbook memory leased at once, and the
 * time; each episode's line shows how long it waited to open its workbook.
 *
 * <pre>
 * java -Xmx1g -cp "bench/target/classes:bench/target/lib/*" dev.trace2skill.bench.SpreadsheetMemoryBench [episodes] [recalculator]
 * </pre>
 */
public final class SpreadsheetMemoryBench {
    private SpreadsheetMemoryBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        String recalculator = args.length > 1 ? args[1] : "poi";
        Path data = SharedData.locate().orElseThrow(() -> new IllegalStateException("shared/data not found (set T2S_DATA_DIR)"));
        TaskEnvironments envs = TaskEnvironments.standard(data, SpreadsheetSettings.DEFAULTS.withRecalculator(recalculator));
        List<Task> tasks = new ArrayList<>(TaskSets.load(TaskSets.SPREADSHEETBENCH, data));
        tasks.sort(Comparator.comparingLong((Task t) -> size(SpreadsheetTaskFiles.of(data, t).input())).reversed());
        List<Task> largest = tasks.subList(0, n);
        long bytes = largest.stream().mapToLong(t -> size(SpreadsheetTaskFiles.of(data, t).input())).sum();
        System.out.printf("%d episodes at once on the %d largest input workbooks (%.1f MB in all, largest %.2f MB), recalculator %s, max heap %d MB%n",
                n, n, bytes / 1e6, size(SpreadsheetTaskFiles.of(data, largest.get(0)).input()) / 1e6, recalculator,
                Runtime.getRuntime().maxMemory() >> 20);

        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        AtomicLong peakHeap = new AtomicLong();
        AtomicLong peakRss = new AtomicLong();
        AtomicLong peakAfterGc = new AtomicLong();
        List<java.lang.management.MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP && p.getCollectionUsage() != null).toList();
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                peakRss.accumulateAndGet(status("VmRSS"), Math::max);
                peakAfterGc.accumulateAndGet(heapPools.stream().mapToLong(p -> p.getCollectionUsage().getUsed()).sum(), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long before = status("VmRSS");
        long start = System.nanoTime();
        List<String> lines = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            List<Future<String>> results = new ArrayList<>();
            for (Task t : largest) {
                results.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    try (Workspace w = envs.open(t)) {
                        long opened = (System.nanoTime() - t0) / 1_000_000;
                        WorkbookTools tools = (WorkbookTools) w.tools().get(0);
                        tools.listSheets();
                        tools.readRange("A1:T20");
                        tools.findText("total", "");
                        tools.writeRange("ZZ1", "\"=1+1\"");
                        String recalc = tools.recalculate();
                        tools.finish();
                        CheckResult r = w.check(null, CheckOptions.DEFAULT);
                        return String.format("  %-8s %5.2f MB  opened after %6d ms  %-40s check: %s; done after %d ms", t.id(),
                                size(SpreadsheetTaskFiles.of(data, t).input()) / 1e6, opened, abbreviate(recalc.lines().findFirst().orElse(""), 40),
                                r.passed() ? "pass" : "fail", (System.nanoTime() - t0) / 1_000_000);
                    }
                }));
            }
            for (Future<String> f : results) {
                lines.add(f.get());
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        sampler.interrupt();
        sampler.join();
        lines.forEach(System.out::println);
        System.out.printf("peak heap in use %d MB (live after a collection at most %d MB); RSS before %d MB, peak RSS %d MB (VmHWM %d MB); "
                        + "%d episodes in %.1f s%n%s%n", peakHeap.get() >> 20, peakAfterGc.get() >> 20, before >> 20, peakRss.get() >> 20,
                status("VmHWM") >> 20, n, millis / 1000.0, WorkbookMemory.jvm().describe());
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    /** A value of /proc/self/status in bytes (VmRSS, VmHWM), or 0 where there is no /proc. */
    private static long status(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
