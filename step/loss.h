/* step/loss.h: the losses of layered-network training on the readout's [N][K] output, with the
 * gradient PyTorch's autograd gives for them (reduction "mean"):
 *   cross_entropy: L = (1/N) sum_n -log softmax(y_n)[label_n];  dL/dy = (softmax(y) - onehot) / N
 *   mse:           L = (1/(N K)) sum (y - onehot)^2;            dL/dy = 2 (y - onehot) / (N K)
 * and the count of correct answers (argmax, the first maximum, as torch.argmax). Softmax in double.
 * Tested in tests/test_net.c against the closed form and in tests/layered_oracle.py. */
#ifndef SQ_LOSS_H
#define SQ_LOSS_H

#include <stdint.h>

typedef enum { SQ_LOSS_CROSS_ENTROPY, SQ_LOSS_MSE } sq_loss_kind;

/* "cross_entropy" / "mse"; -1 when unknown. */
int sq_loss_find(const char *name);
const char *sq_loss_name(sq_loss_kind k);

/* Loss of y ([N][K]) against labels; dy (NULL: not wanted) receives dL/dy; *correct (NULL: not
 * wanted) the number of samples whose argmax is the label. Thread: any. */
double sq_loss(sq_loss_kind kind, const float *y, const uint32_t *labels, uint32_t N, uint32_t K, float *dy,
               uint32_t *correct);

/* The first index of the largest of y[0..K). */
uint32_t sq_argmax(const float *y, uint32_t K);

#endif
