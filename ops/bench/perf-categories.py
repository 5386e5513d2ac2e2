#!/usr/bin/env python3
# Puts the samples of a `perf script -F comm,tid,ip,sym,dso` dump of the gateway into categories by the frames on
# their stack (first matching category wins, in the order below) and prints each category's share; with a CPU figure
# per handshake also its milliseconds. Used for docs/loadtest-profile.md. Record the gateway started with
# DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 so that JIT frames resolve (perf record -F 999 -g -p PID).
#
# usage: perf-categories.py PERF_SCRIPT_TXT [MS_PER_HANDSHAKE [FRAME_REGEX [N]]]
#   FRAME_REGEX: also list the frames matching it with their inclusive share (top N, default 60)
import sys, re, collections
samples=[]; cur=None
for line in open(sys.argv[1], errors='replace'):
    if not line.strip():
        if cur: samples.append(cur); cur=None
        continue
    if not line.startswith('\t') and not line.startswith(' '):
        cur={'comm':line.rsplit(' ',2)[0].strip(),'frames':[]}; continue
    m=re.match(r'\s*[0-9a-f]+ (.*) \((.*)\)\s*$', line)
    if m and cur is not None: cur['frames'].append((m.group(1), m.group(2)))
if cur: samples.append(cur)
N=len(samples)
cats=[('jit', lambda s,st,d: 'Tiered Com' in s['comm'] or 'libclrjit' in d),
 ('libcrypto', lambda s,st,d: 'libcrypto' in s['frames'][0][1] if s['frames'] else False),
 ('sqlite engine', lambda s,st,d: 'libe_sqlite3' in d),
 ('linq2db build', lambda s,st,d: re.search(r'LinqToDB\.(SqlProvider|SqlQuery|Linq\.Builder|Expressions|Linq\.Query|Linq\.ExpressionBuilder|Internal|Mapping|Common|Reflection)', st) is not None),
 ('persistence other', lambda s,st,d: re.search(r'Akka\.Persistence|LinqToDB|Microsoft\.Data\.Sqlite|SQLitePCL|Gateway\.Core\.Persistence|SessionActor::OnJournal|SessionActor::Write|SessionActor::OnWritten', st) is not None),
 ('our crypto', lambda s,st,d: 'Gateway.Crypto' in st or 'System.Security.Cryptography' in st),
 ('ike machine/codec', lambda s,st,d: re.search(r'Gateway\.Core\.IkeSa|Gateway\.Ike\.|Gateway\.Core\.Eap|Gateway\.Core\.Auth', st) is not None),
 ('logging', lambda s,st,d: re.search(r'Akka\.Event|Gateway\.Hosting\.Log', st) is not None),
 ('akka remote/cluster/sharding', lambda s,st,d: re.search(r'Akka\.Cluster|Akka\.Remote|DotNetty', st) is not None),
 ('akka streams', lambda s,st,d: 'Akka.Streams' in st),
 ('gateway actors', lambda s,st,d: re.search(r'Gateway\.', st) is not None),
 ('akka dispatch', lambda s,st,d: 'Akka.' in st),
 ('kernel', lambda s,st,d: 'kernel' in d),
]
cnt=collections.Counter(); bysym=collections.defaultdict(collections.Counter)
for s in samples:
    st='\n'.join(f for f,_ in s['frames']); d='\n'.join(x for _,x in s['frames'])
    for name,f in cats:
        if f(s,st,d): cnt[name]+=1; break
    else: cnt['other (runtime/GC/libc)']+=1
ms=float(sys.argv[2]) if len(sys.argv)>2 else 0
for k,v in cnt.most_common(): print(f'{k:32s} {100*v/N:5.1f}%  {ms*v/N:.3f} ms')
print('samples',N)
if len(sys.argv)>3:
    pat=re.compile(sys.argv[3]); inc=collections.Counter()
    for s in samples:
        seen=set()
        for f,_ in s['frames']:
            g=re.sub(r'\[Optimized[^\]]*\]|\[OSR\]|\[Tier[^\]]*\]|\[PreJIT\]|\[QuickJitted\]|\[Instrumented[^\]]*\]','',f).strip()
            g=re.sub(r'\(.*','',g)
            if pat.search(g) and g not in seen: seen.add(g); inc[g]+=1
    for k,v in inc.most_common(int(sys.argv[4]) if len(sys.argv)>4 else 60): print(f'{100*v/N:5.1f}% {k}')
