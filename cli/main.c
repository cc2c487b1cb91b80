/* cli/main.c: `spikeq`, the command-line front door: dispatches to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: spikeq <command> [options]\n"
    "\n"
    "Event-driven spiking neural network simulator (exact integration, SONATA/HDF5 output).\n"
    "\n"
    "commands:\n"
    "  run CONFIG.json [--set path=value]... [--seed N] [--threads N] [--t-stop MS] [--out FILE.h5]\n"
    "                  simulate the experiment a JSON config describes; spikes go to a SONATA file\n"
    "  info FILE.h5    populations, neurons that fired, spike counts, mean rates and time range\n"
    "  models          the neuron models and their parameters (unit, default, range)\n"
    "  raster FILE.h5 -o OUT.png [--t0 MS --t1 MS] [--width W --height H]\n"
    "                  a spike raster picture (PNG), populations stacked and coloured\n"
    "  train CONFIG.json [--epochs N] [--threads N] [--seed S] [--out DIR] [--resume CKPT.h5] [--benchmark ITERS]\n"
    "                  train a layered spiking network (BPTT, surrogate gradients); checkpoints, log, curve\n"
    "  eval CONFIG.json --weights FILE.h5 [--predictions OUT.h5]\n"
    "                  test accuracy of a layered network with trained weights\n"
    "  dataset info|list|frames|emulate ...\n"
    "                  IDX images/labels, CIFAR10-DVS and N-MNIST recordings and dataset folders;\n"
    "                  emulate: event datasets recorded from still images by an emulated DVS128\n"
    "\n"
    "options:\n"
    "  -h, --help      this help (also `spikeq <command> --help`)\n"
    "  -V, --version   the version\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("spikeq %s\n", SQ_VERSION);
        return 0;
    }
    if (strcmp(cmd, "run") == 0)
        return sq_cli_run(argc - 1, argv + 1);
    if (strcmp(cmd, "info") == 0)
        return sq_cli_info(argc - 1, argv + 1);
    if (strcmp(cmd, "models") == 0)
        return sq_cli_models(argc - 1, argv + 1);
    if (strcmp(cmd, "raster") == 0)
        return sq_cli_raster(argc - 1, argv + 1);
    if (strcmp(cmd, "train") == 0)
        return sq_cli_train(argc - 1, argv + 1);
    if (strcmp(cmd, "eval") == 0)
        return sq_cli_eval(argc - 1, argv + 1);
    if (strcmp(cmd, "dataset") == 0)
        return sq_cli_dataset(argc - 1, argv + 1);
    fprintf(stderr, "spikeq: unknown command \"%s\" (expected run, info, models, raster, train, eval or dataset; see spikeq --help)\n", cmd);
    return 2;
}
