/* cli/cmd_models.c: `spikeq models`: every neuron model with its parameter table (name, unit,
 * default, constraint), printed from the models' own sq_param_info tables, then the plasticity
 * rules (plasticity/registry.c) with their parameters and presets, then the input encoders a
 * spike_source can name, from theirs (encoders/registry.c). */
#include <stdio.h>
#include <string.h>

#include "../encoders/encoder.h"
#include "../neurons/model.h"
#include "../plasticity/rule.h"
#include "cli.h"

static const char *constraint_text(sq_constraint c)
{
    return c == SQ_POSITIVE ? "> 0" : c == SQ_NONNEGATIVE ? ">= 0" : "any";
}

static void print_params(const sq_param_info *params, size_t n)
{
    printf("  %-12s %-5s %10s  %-6s %s\n", "parameter", "unit", "default", "range", "meaning");
    for (size_t k = 0; k < n; k++) {
        const sq_param_info *p = &params[k];
        printf("  %-12s %-5s %10g  %-6s %s\n", p->name, p->unit, p->def, constraint_text(p->constraint), p->doc);
    }
}

static void print_rules(void)
{
    size_t n;
    const sq_plasticity_rule *const *rules = sq_plasticity_rules(&n);
    puts("\nplasticity rules (a projection's \"plasticity\": {\"rule\", \"preset\", \"params\", \"dendritic_delay\"};\n"
         "unit w = the target model's weight unit):\n");
    for (size_t i = 0; i < n; i++) {
        const sq_plasticity_rule *r = rules[i];
        printf("%s: %s\n", r->name, r->doc);
        print_params(r->params, r->n_params);
        for (size_t k = 0; k < r->n_presets; k++)
            printf("  preset %s: %s\n", r->presets[k].name, r->presets[k].doc);
        putchar('\n');
    }
}

static void print_encoders(void)
{
    size_t n;
    const sq_encoder *const *enc = sq_encoders(&n);
    puts("\nencoders (a spike_source's \"encoder\": {\"kind\": ...}; common fields: dataset, samples, first_sample,\n"
         "sample_time, gap, max_spikes):\n");
    for (size_t i = 0; i < n; i++) {
        printf("%s: %s (%s)\n", enc[i]->name, enc[i]->doc, enc[i]->events ? "event recordings" : "images");
        print_params(enc[i]->params, enc[i]->n_params);
        putchar('\n');
    }
}

int sq_cli_models(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        puts("usage: spikeq models\n\nLists the neuron models a config can name, with each parameter's unit, default\n"
             "and constraint, and the unit of a synaptic weight onto the model; then the plasticity rules a\n"
             "projection can name, with their parameters and presets; then the input encoders a\n"
             "spike_source population can use, with their parameters.");
        return 0;
    }
    size_t n;
    const sq_neuron_model *const *models = sq_neuron_models(&n);
    for (size_t i = 0; i < n; i++) {
        const sq_neuron_model *m = models[i];
        printf("%s: %s\n  synaptic weight unit: %s (sign selects the receptor: >= 0 excitatory)\n", m->name, m->doc,
               m->weight_unit);
        print_params(m->params, m->n_params);
        putchar('\n');
    }
    puts("spike_source: emits the spike times given in the config (\"spike_times\": one list per neuron, ms), or a\n"
         "dataset through an encoder (\"encoder\", below)");
    puts("poisson_source: each neuron emits its own Poisson train to all its targets (\"rate\" Hz, \"start\" ms,\n"
         "  default 0, \"stop\" ms, required: drawn when the network is built)");
    print_rules();
    print_encoders();
    return 0;
}
