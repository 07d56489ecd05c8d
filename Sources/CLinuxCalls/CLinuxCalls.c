#define _GNU_SOURCE
#include "CLinuxCalls.h"

#include <errno.h>
#include <sys/xattr.h>
#include <unistd.h>

ssize_t clinux_copy_range(int input, off_t offset, int output, size_t length) {
#ifdef __linux__
    off_t position = offset;
    return copy_file_range(input, &position, output, NULL, length, 0);
#else
    (void)input; (void)offset; (void)output; (void)length;
    errno = ENOSYS;
    return -1;
#endif
}

int clinux_sync_filesystem(int descriptor) {
#ifdef __linux__
    return syncfs(descriptor);
#else
    (void)descriptor;
    sync();
    return 0;
#endif
}

ssize_t clinux_list_attributes(int descriptor, char *names, size_t size) {
    return flistxattr(descriptor, names, size);
}

ssize_t clinux_get_attribute(int descriptor, const char *name, void *value, size_t size) {
    return fgetxattr(descriptor, name, value, size);
}

int clinux_set_attribute(int descriptor, const char *name, const void *value, size_t size) {
    return fsetxattr(descriptor, name, value, size, 0);
}
