/* Build a linked list of 2048 nodes in shuffled memory order, then walk it twice:
 * each step's address depends on the previous load (a pointer chase). */
#include <stdio.h>
#include <stdlib.h>
#define N 2048
struct node { struct node *next; long value; char pad[48]; }; /* 64 bytes: one line each */
static struct node nodes[N];
int main(void) {
  static int order[N];
  unsigned x = 12345;
  for (int i = 0; i < N; i++) order[i] = i;
  for (int i = N - 1; i > 0; i--) { /* fixed-seed shuffle: the same trace every run */
    x = x * 1103515245u + 12345u;
    int j = (int)((x >> 8) % (unsigned)(i + 1));
    int t = order[i]; order[i] = order[j]; order[j] = t;
  }
  for (int i = 0; i < N; i++) {
    nodes[order[i]].next = &nodes[order[(i + 1) % N]];
    nodes[order[i]].value = i;
  }
  long sum = 0;
  struct node *p = &nodes[order[0]];
  for (int k = 0; k < 2 * N; k++) { sum += p->value; p = p->next; }
  printf("%ld\n", sum);
  return 0;
}
