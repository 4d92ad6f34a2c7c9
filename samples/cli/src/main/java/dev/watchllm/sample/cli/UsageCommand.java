package dev.watchllm.sample.cli;

import dev.watchllm.config.ConfigException;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.metering.UsageExport;
import dev.watchllm.metering.UsageRecord;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * {@code usage export --project ID --month YYYY-MM [--format csv|jsonl] [--config FILE]}: prints a
 * project's usage records of one month from the daily files under the config's {@code store.dir}
 * to stdout (messages go to stderr, so the output can be redirected as is). Works while the
 * server runs: it only reads.
 */
final class UsageCommand {
    private UsageCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 2 || !args[1].equals("export")) {
            err.println("Usage: usage export --project ID --month YYYY-MM [--format csv|jsonl] [--config FILE]");
            return 2;
        }
        String project = null;
        String month = null;
        String format = "jsonl";
        String config = null;
        for (int i = 2; i < args.length; i++) {
            if (i + 1 >= args.length) {
                err.println("usage export: " + args[i] + " needs a value");
                return 2;
            }
            switch (args[i]) {
                case "--project": project = args[++i]; break;
                case "--month": month = args[++i]; break;
                case "--format": format = args[++i]; break;
                case "--config": config = args[++i]; break;
                default:
                    err.println("Unknown argument: " + args[i]);
                    return 2;
            }
        }
        if (project == null || month == null) {
            err.println("usage export: --project ID and --month YYYY-MM are required");
            return 2;
        }
        YearMonth ym;
        try {
            ym = YearMonth.parse(month);
        } catch (DateTimeParseException e) {
            err.println("usage export: --month must be YYYY-MM, not '" + month + "'");
            return 2;
        }
        UsageExport.Format f = UsageExport.format(format);
        if (f == null) {
            err.println("usage export: --format must be csv or jsonl, not '" + format + "'");
            return 2;
        }
        WatchLlmConfig cfg;
        try {
            cfg = GatewayCli.loadConfig(config, err);
        } catch (ConfigException e) {
            err.println("Config error: " + e.getMessage());
            return 1;
        }
        try {
            List<UsageRecord> records = UsageExport.read(cfg.store().dir(), project, ym);
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            UsageExport.write(records, f, w);
            w.flush();
            err.println("Exported " + records.size() + " usage records of project '" + project + "' for " + ym
                    + " from " + cfg.store().dir().toAbsolutePath().resolve("usage"));
            return 0;
        } catch (IOException e) {
            err.println("usage export failed: " + e.getMessage());
            return 1;
        }
    }
}
