// The interop tests share one lab topology and one gateway per gateway kind, and run real clients one after another:
// no two test classes may run at the same time (namespaces, ports and CPU on a small machine).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
