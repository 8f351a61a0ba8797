/* Test helper, run inside containers: creates a SysV shared memory segment with the key given in argv[1]. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/shm.h>

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    int id = shmget((key_t) strtol(argv[1], NULL, 0), 4096, IPC_CREAT | 0600);
    if (id < 0) {
        perror("shmget");
        return 1;
    }
    printf("shmid %d\n", id);
    return 0;
}
