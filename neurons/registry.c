/* neurons/registry.c: the one table of neuron models; a new model is one file plus one line here. */
#include <string.h>

#include "model.h"

extern const sq_neuron_model sq_model_lif_delta;
extern const sq_neuron_model sq_model_lif_exp;
extern const sq_neuron_model sq_model_lif_exp_grid;
extern const sq_neuron_model sq_model_lif_cond_exp;
extern const sq_neuron_model sq_model_two_compartment;
extern const sq_neuron_model sq_model_izhikevich;

static const sq_neuron_model *const models[] = {&sq_model_lif_delta, &sq_model_lif_exp, &sq_model_lif_exp_grid,
                                                &sq_model_lif_cond_exp, &sq_model_two_compartment, &sq_model_izhikevich};

const sq_neuron_model *sq_neuron_model_find(const char *name)
{
    for (size_t i = 0; i < SQ_COUNT(models); i++)
        if (strcmp(models[i]->name, name) == 0)
            return models[i];
    return NULL;
}

const sq_neuron_model *const *sq_neuron_models(size_t *n)
{
    *n = SQ_COUNT(models);
    return models;
}
