package dev.minikafka.interop;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The records of the transaction scenario (SCENARIO.md): of N records, [0, N/2) are committed in a
 * first transaction, [N/2, 3N/4) aborted in a second, [3N/4, N) committed in a third. Record i has
 * key k(i % 16) and value "t<i>|c" (committed) or "t<i>|a" (aborted).
 */
record TxnPlan(int n) {
    record Part(String step, int from, int to, boolean commit) {}

    List<Part> parts() {
        return List.of(
                new Part("txn_commit", 0, n / 2, true),
                new Part("txn_abort", n / 2, 3 * n / 4, false),
                new Part("txn_commit_after_abort", 3 * n / 4, n, true));
    }

    List<Integer> committed() {
        List<Integer> out = new ArrayList<>();
        for (Part p : parts()) if (p.commit()) for (int i = p.from(); i < p.to(); i++) out.add(i);
        return out;
    }

    List<Integer> all() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(i);
        return out;
    }

    static String value(int i, boolean commit) {
        return "t" + i + "|" + (commit ? "c" : "a");
    }

    /** The record index of a value of this scenario, or -1 for anything else (a leaked marker). */
    static int indexOfValue(String v) {
        if (v == null || !v.startsWith("t") || !(v.endsWith("|c") || v.endsWith("|a"))) return -1;
        try {
            return Integer.parseInt(v.substring(1, v.length() - 2));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Problems found comparing values read with the indexes expected exactly once each. */
    static List<String> compare(List<String> values, List<Integer> expected) {
        List<String> problems = new ArrayList<>();
        Set<Integer> want = new HashSet<>(expected);
        Map<Integer, Integer> seen = new HashMap<>();
        for (String v : values) {
            int i = indexOfValue(v);
            if (i < 0) { problems.add("not a record of the scenario: " + v); continue; }
            if (seen.merge(i, 1, Integer::sum) == 2) problems.add("record " + i + " read twice");
            if (!want.contains(i)) problems.add("record " + i + " (" + v + ") should not be visible");
        }
        for (int i : expected) if (!seen.containsKey(i) && problems.size() < 50) problems.add("record " + i + " missing");
        return problems;
    }
}
