#ifndef CLINUXCALLS_H
#define CLINUXCALLS_H

#include <stddef.h>
#include <sys/types.h>

/* Linux calls that need _GNU_SOURCE, which Swift's Glibc module does not import. */

/// Copies `length` bytes from `input` at `offset` to the current position of `output`
/// inside the kernel (copy_file_range), without passing the data through user space.
/// Returns the bytes copied (0 at end of file) or -1 with errno set; EXDEV, ENOSYS,
/// EINVAL and EOPNOTSUPP mean "not possible here, copy by hand".
ssize_t clinux_copy_range(int input, off_t offset, int output, size_t length);

/// Forces every dirty file of the filesystem holding `descriptor` to disk (syncfs):
/// one call makes a whole batch of staged files durable. Returns 0 or -1 with errno.
int clinux_sync_filesystem(int descriptor);

/// The names of the extended attributes of the open file, NUL-separated (flistxattr), the value
/// of one (fgetxattr) and setting one (fsetxattr): what labelling in place carries over from the
/// original to the file that replaces it. Same returns as the calls; -1 with errno.
ssize_t clinux_list_attributes(int descriptor, char *names, size_t size);
ssize_t clinux_get_attribute(int descriptor, const char *name, void *value, size_t size);
int clinux_set_attribute(int descriptor, const char *name, const void *value, size_t size);

#endif
