/* exit0: a program that does nothing, without libc (built -static -nostdlib): exec, exit.
 * bench/spawn spawns it to measure the spawn ceiling. */
void _start(void)
{
	__asm__ volatile("mov $60, %eax\n\txor %edi, %edi\n\tsyscall"); /* exit(0) */
	__builtin_unreachable();
}
