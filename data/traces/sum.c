/* Sum an array of ints front to back: the textbook sequential access. */
#include <stdio.h>
#define N 4096
static int a[N];
int main(void) {
  for (int i = 0; i < N; i++) a[i] = i;
  long sum = 0;
  for (int i = 0; i < N; i++) sum += a[i];
  printf("%ld\n", sum);
  return 0;
}
