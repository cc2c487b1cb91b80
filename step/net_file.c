/* step/net_file.c: a layered network's parameters in HDF5 (step/net_file.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net_file.h"

static void dataset_name(char *buf, size_t cap, const sq_layer *l, const sq_param *p)
{
    snprintf(buf, cap, "/layers/%s/%s", l->name, p->name);
}

int sq_net_write_params(sq_net *net, sq_tensor_file *f, sq_err *err)
{
    int rc;
    if ((rc = sq_tensor_file_put_attr_str(f, "format", SQ_WEIGHTS_FORMAT, err)) < 0 ||
        (rc = sq_tensor_file_put_attr(f, "version", 1, err)) < 0)
        return rc;
    for (size_t i = 0; i < sq_net_param_count(net); i++) {
        const sq_layer *l;
        sq_param *p = sq_net_param(net, i, &l);
        float *buf = malloc(p->n * sizeof *buf);
        if (!buf)
            return sq_fail(err, SQ_ENOMEM, "out of memory");
        char name[160];
        dataset_name(name, sizeof name, l, p);
        sq_param_to_file(p, p->value, buf);
        rc = sq_tensor_file_put(f, name, p->file_rank, p->file_dims, buf, err);
        free(buf);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int sq_net_read_params(sq_net *net, sq_tensor_file *f, sq_err *err)
{
    char format[64];
    int rc;
    if ((rc = sq_tensor_file_get_attr_str(f, "format", format, sizeof format, err)) < 0)
        return rc;
    if (format[0] && strcmp(format, SQ_WEIGHTS_FORMAT) != 0)
        return sq_fail(err, SQ_EFORMAT, "%s: attribute format: expected \"%s\", got \"%s\"", sq_tensor_file_path(f),
                       SQ_WEIGHTS_FORMAT, format);
    size_t total = 0;
    for (size_t i = 0; i < sq_net_param_count(net); i++)
        total += sq_net_param(net, i, NULL)->n;
    /* Everything is read first, so that a bad file leaves the network as it was. */
    float *all = malloc((total ? total : 1) * sizeof *all);
    if (!all)
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    float *next = all;
    for (size_t i = 0; i < sq_net_param_count(net) && rc == 0; i++) {
        const sq_layer *l;
        sq_param *p = sq_net_param(net, i, &l);
        char name[160];
        dataset_name(name, sizeof name, l, p);
        rc = sq_tensor_file_get(f, name, p->file_rank, p->file_dims, next, err);
        next += p->n;
    }
    next = all;
    for (size_t i = 0; i < sq_net_param_count(net) && rc == 0; i++) {
        sq_param *p = sq_net_param(net, i, NULL);
        sq_param_from_file(p, next, p->value);
        next += p->n;
    }
    free(all);
    return rc;
}

int sq_net_save(sq_net *net, const char *path, sq_err *err)
{
    sq_tensor_file *f;
    int rc = sq_tensor_file_create(path, &f, err);
    if (rc < 0)
        return rc;
    if ((rc = sq_net_write_params(net, f, err)) < 0) {
        sq_tensor_file_abandon(f);
        return rc;
    }
    return sq_tensor_file_close(f, err);
}

int sq_net_load(sq_net *net, const char *path, sq_err *err)
{
    sq_tensor_file *f;
    int rc = sq_tensor_file_open(path, &f, err);
    if (rc < 0)
        return rc;
    rc = sq_net_read_params(net, f, err);
    sq_tensor_file_close(f, NULL);
    return rc;
}
