package dev.trace2skill.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options with defaults; an unknown option is an error, {@code --help} lists the known ones. */
final class Args {
    private final Map<String, String> values = new HashMap<>();
    private final Map<String, String> defaults;

    Args(String[] args, Map<String, String> defaults, String usage) {
        this.defaults = defaults;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println(usage);
                defaults.forEach((k, v) -> System.out.printf("  --%-22s default %s%n", k, v));
                System.exit(0);
            }
            if (!a.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, got " + a);
            }
            String name = a.substring(2);
            if (!defaults.containsKey(name)) {
                throw new IllegalArgumentException("unknown option --" + name + "; known: " + Set.copyOf(defaults.keySet()));
            }
            values.put(name, args[++i]);
        }
    }

    String get(String name) {
        return values.getOrDefault(name, defaults.get(name));
    }

    int integer(String name) {
        return Integer.parseInt(get(name));
    }

    double decimal(String name) {
        return Double.parseDouble(get(name));
    }

    long longValue(String name) {
        return Long.parseLong(get(name));
    }

    List<Integer> integers(String name) {
        List<Integer> out = new ArrayList<>();
        for (String s : get(name).split(",")) {
            out.add(Integer.parseInt(s.strip()));
        }
        return out;
    }
}
