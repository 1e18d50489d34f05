package dev.trace2skill.infra;

import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Runs another main class and exits when standard input reaches end-of-file, i.e. when the parent JVM that holds
 * the other end of the pipe is gone, however it died. Used for attached test brokers so none outlives its tests.
 */
public final class ParentWatchdog {
    private ParentWatchdog() {
    }

    public static void main(String[] args) throws Exception {
        Thread watcher = Thread.ofPlatform().daemon().name("parent-watchdog").start(() -> {
            try {
                while (System.in.read() >= 0) {
                    // discard
                }
            } catch (java.io.IOException ignored) {
                // the pipe broke: same as end-of-file
            }
            Runtime.getRuntime().halt(0);
        });
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        watcher.join();
    }
}
