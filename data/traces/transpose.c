/* Transpose a 32 x 32 int matrix, naively or in 8 x 8 blocks (CS:APP Cache Lab, part B).
 * Usage: transpose naive | blocked */
#include <stdio.h>
#include <string.h>
#define N 32
#define BLOCK 8
static int A[N][N], B[N][N];
static void naive(void) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) B[j][i] = A[i][j];
}
static void blocked(void) {
  for (int ii = 0; ii < N; ii += BLOCK)
    for (int jj = 0; jj < N; jj += BLOCK)
      for (int i = ii; i < ii + BLOCK; i++)
        for (int j = jj; j < jj + BLOCK; j++) B[j][i] = A[i][j];
}
int main(int argc, char **argv) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) A[i][j] = i * N + j;
  if (argc > 1 && strcmp(argv[1], "blocked") == 0) blocked();
  else naive();
  printf("%d\n", B[N - 1][0]);
  return 0;
}
