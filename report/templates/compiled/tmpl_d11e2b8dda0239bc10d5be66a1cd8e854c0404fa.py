from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = '_mlps.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_mlps_view = resolve('mlps_view')
    l_0_r = resolve('r')
    l_0_lang = resolve('lang')
    l_0_res_class = resolve('res_class')
    l_0_L = resolve('L')
    l_0_v = missing
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_2 = environment.filters['sum']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'sum' found.")
    pass
    l_0_v = context.call((undefined(name='mlps_view') if l_0_mlps_view is missing else l_0_mlps_view), (undefined(name='r') if l_0_r is missing else l_0_r), (undefined(name='lang') if l_0_lang is missing else l_0_lang))
    context.vars['v'] = l_0_v
    context.exported_vars.add('v')
    if (undefined(name='v') if l_0_v is missing else l_0_v):
        pass
        l_0_res_class = {'compliant': 'st-pass', 'partial': 'st-manual', 'non_compliant': 'st-fail', 'not_applicable': 'st-not_applicable', 'not_assessed': 'st-error'}
        context.vars['res_class'] = l_0_res_class
        context.exported_vars.add('res_class')
        yield '<section id="mlps-view">\n<h2>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_view')))
        yield ' · '
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), markup_join(('mlps_level_', environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'level'), )))))
        yield '</h2>\n<p class="note">'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_scope_note')))
        yield '</p>\n<p><strong>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_score_title')))
        yield '</strong>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_colon')))
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_score_note')))
        yield '</p>\n<h3>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_counts')))
        yield '</h3>\n<table>\n<tr><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'layer')))
        yield '</th>'
        for l_1_c in environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'result_order'):
            _loop_vars = {}
            pass
            yield '<th>'
            yield escape(environment.finalize(environment.getitem(environment.getitem(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'result_labels'), l_1_c), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
            yield '</th>'
        l_1_c = missing
        yield '<th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'total')))
        yield '</th></tr>\n'
        for l_1_layer in environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'layers'):
            _loop_vars = {}
            pass
            yield '<tr><td>'
            yield escape(environment.finalize(environment.getitem(environment.getattr(l_1_layer, 'name'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
            yield '</td>'
            for l_2_c in environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'result_order'):
                _loop_vars = {}
                pass
                yield '<td>'
                yield escape(environment.finalize(environment.getitem(environment.getattr(l_1_layer, 'counts'), l_2_c)))
                yield '</td>'
            l_2_c = missing
            yield '<td>'
            yield escape(environment.finalize(t_2(environment, context.call(environment.getattr(environment.getattr(l_1_layer, 'counts'), 'values'), _loop_vars=_loop_vars))))
            yield '</td></tr>\n'
        l_1_layer = missing
        yield '<tr><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'total')))
        yield '</th>'
        for l_1_c in environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'result_order'):
            _loop_vars = {}
            pass
            yield '<th>'
            yield escape(environment.finalize(environment.getitem(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'counts'), l_1_c)))
            yield '</th>'
        l_1_c = missing
        yield '<th>'
        yield escape(environment.finalize(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'total')))
        yield '</th></tr>\n</table>\n<h3>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'high_risk')))
        yield '</h3>\n'
        if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'cases'):
            pass
            yield '<table>\n<tr><th>'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'case')))
            yield '</th><th>'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_title')))
            yield '</th><th>'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'check')))
            yield '</th><th>'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_state')))
            yield '</th><th>'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_unit')))
            yield '</th></tr>\n'
            l_1_loop = missing
            for l_1_c, l_1_loop in LoopContext(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'cases'), undefined):
                _loop_vars = {}
                pass
                yield '<tr><td>'
                yield escape(environment.finalize(environment.getattr(l_1_c, 'case')))
                yield '</td><td>'
                yield escape(environment.finalize(environment.getitem(environment.getattr(l_1_c, 'title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
                yield '</td><td><code>'
                yield escape(environment.finalize(environment.getattr(l_1_c, 'check_id')))
                yield '</code> '
                yield escape(environment.finalize(environment.getitem(environment.getattr(l_1_c, 'check_title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
                if environment.getattr(l_1_c, 'target'):
                    pass
                    yield '<br><span class="note mono">'
                    yield escape(environment.finalize(environment.getattr(l_1_c, 'target')))
                    yield '</span>'
                yield '</td><td class="st '
                yield escape(environment.finalize(('st-fail' if (environment.getattr(l_1_c, 'state') == 'open') else 'st-manual')))
                yield '">'
                yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), markup_join(('state_', environment.getattr(l_1_c, 'state'), )))))
                if environment.getattr(l_1_c, 'mitigated_by'):
                    pass
                    yield '<br><span class="note">'
                    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mitigated_by')))
                    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_colon')))
                    l_2_loop = missing
                    for l_2_m, l_2_loop in LoopContext(environment.getattr(l_1_c, 'mitigated_by'), undefined):
                        _loop_vars = {}
                        pass
                        yield '<code>'
                        yield escape(environment.finalize(l_2_m))
                        yield '</code>'
                        if (not environment.getattr(l_2_loop, 'last')):
                            pass
                            yield ', '
                    l_2_loop = l_2_m = missing
                    yield '</span>'
                yield '</td><td class="mono">'
                yield escape(environment.finalize(t_1(context.eval_ctx, environment.getattr(l_1_c, 'units'), ', ')))
                yield '</td></tr>\n'
            l_1_loop = l_1_c = missing
            yield '</table>\n'
        else:
            pass
            yield '<p>'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'none')))
            yield '</p>'
        if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'cases_above_level'):
            pass
            yield '<p class="note">'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_cases_above_level')))
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_colon')))
            yield escape(environment.finalize(t_1(context.eval_ctx, environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'cases_above_level'), ', ')))
            yield '</p>'
        if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'cases_not_assessed'):
            pass
            yield '<p class="note">'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'high_risk_not_assessed')))
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_colon')))
            yield escape(environment.finalize(t_1(context.eval_ctx, environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'cases_not_assessed'), ', ')))
            yield '</p>'
        yield '<p><strong>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_conclusion_hint')))
        yield '</strong>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_colon')))
        if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'conclusion_hint'):
            pass
            yield '<span class="st-fail">'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_hint_poor')))
            yield '</span>'
        else:
            pass
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_hint_none')))
        yield '</p>\n<p class="note">'
        yield escape(environment.finalize(environment.getitem(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'conclusion_note'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
        yield '</p>\n'
        l_1_loop = missing
        for l_1_layer, l_1_loop in LoopContext(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'layers'), undefined):
            _loop_vars = {}
            pass
            yield '<h3>'
            yield escape(environment.finalize(environment.getitem(environment.getattr(l_1_layer, 'name'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
            yield '</h3>\n<table class="mlps-units">\n<tr><th>'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_unit')))
            yield '</th><th>'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_requirement')))
            yield '</th><th>'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_result')))
            yield '</th><th>'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_record')))
            yield '</th></tr>\n'
            l_2_loop = missing
            for l_2_p, l_2_loop in LoopContext(environment.getattr(l_1_layer, 'points'), undefined):
                _loop_vars = {}
                pass
                yield '<tr><th colspan="4">'
                yield escape(environment.finalize(environment.getattr(l_2_p, 'clause')))
                yield ' '
                yield escape(environment.finalize(environment.getitem(environment.getattr(l_2_p, 'name'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
                if (environment.getattr(l_2_p, 'extension') != 1):
                    pass
                    yield ' ('
                    yield escape(environment.finalize(environment.getitem(environment.getattr(l_2_p, 'extension_name'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
                    yield ')'
                yield '</th></tr>\n'
                l_3_loop = missing
                for l_3_u, l_3_loop in LoopContext(environment.getattr(l_2_p, 'units'), undefined):
                    _loop_vars = {}
                    pass
                    yield '<tr id="'
                    yield escape(environment.finalize(environment.getattr(l_3_u, 'unit')))
                    yield '">\n<td class="mono">'
                    yield escape(environment.finalize(environment.getattr(l_3_u, 'unit')))
                    yield '<br><span class="note">'
                    yield escape(environment.finalize(environment.getattr(l_3_u, 'clause')))
                    yield '</span></td>\n<td>'
                    yield escape(environment.finalize(environment.getitem(environment.getattr(l_3_u, 'requirement'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
                    if (environment.getattr(l_3_u, 'wording') == 'level3_reused'):
                        pass
                        yield '<br><span class="note">'
                        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_wording_reused')))
                        yield '</span>'
                    elif (environment.getattr(l_3_u, 'wording') == 'level2'):
                        pass
                        yield '<br><span class="note">'
                        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_wording_level2')))
                        yield '</span>'
                    yield '</td>\n<td class="st '
                    yield escape(environment.finalize(environment.getitem((undefined(name='res_class') if l_0_res_class is missing else l_0_res_class), environment.getattr(l_3_u, 'result'))))
                    yield '">'
                    yield escape(environment.finalize(environment.getitem(environment.getattr(l_3_u, 'label'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
                    if ((not environment.getattr(l_3_u, 'complete')) and (environment.getattr(l_3_u, 'result') != 'not_assessed')):
                        pass
                        yield '<br><span class="note">'
                        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_incomplete')))
                        yield '</span>'
                    if environment.getattr(l_3_u, 'high_risk'):
                        pass
                        yield '<br><span class="st-fail">'
                        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'case')))
                        yield ' '
                        yield escape(environment.finalize(t_1(context.eval_ctx, environment.getattr(l_3_u, 'high_risk'), ', ')))
                        yield '</span>'
                    yield '</td>\n<td>'
                    if environment.getattr(l_3_u, 'records'):
                        pass
                        yield '<ul>'
                        l_4_loop = missing
                        for l_4_x, l_4_loop in LoopContext(environment.getattr(l_3_u, 'records'), undefined):
                            _loop_vars = {}
                            pass
                            yield '<li><code>'
                            yield escape(environment.finalize(environment.getattr(l_4_x, 'check_id')))
                            yield '</code> '
                            yield escape(environment.finalize(environment.getitem(environment.getattr(l_4_x, 'title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
                            if environment.getattr(l_4_x, 'target'):
                                pass
                                yield ' <span class="mono">('
                                yield escape(environment.finalize(environment.getattr(l_4_x, 'target')))
                                yield ')</span>'
                            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_colon')))
                            yield '<span class="st st-'
                            yield escape(environment.finalize(environment.getattr(l_4_x, 'status')))
                            yield '">'
                            yield escape(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'status'), environment.getattr(l_4_x, 'status'), _loop_vars=_loop_vars)))
                            yield '</span>'
                            if environment.getattr(l_4_x, 'reason'):
                                pass
                                yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_stop')))
                                for (l_5_text, l_5_param) in environment.getattr(l_4_x, 'reason_parts'):
                                    _loop_vars = {}
                                    pass
                                    if l_5_param:
                                        pass
                                        yield '<code class="p">'
                                        yield escape(environment.finalize(l_5_text))
                                        yield '</code>'
                                    else:
                                        pass
                                        yield escape(environment.finalize(l_5_text))
                                l_5_text = l_5_param = missing
                            yield '<br><span class="note">'
                            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'evidence')))
                            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_colon')))
                            l_5_loop = missing
                            for l_5_e, l_5_loop in LoopContext(environment.getattr(l_4_x, 'evidence'), undefined):
                                _loop_vars = {}
                                pass
                                yield '<code>'
                                yield escape(environment.finalize(l_5_e))
                                yield '</code>'
                                if (not environment.getattr(l_5_loop, 'last')):
                                    pass
                                    yield ', '
                            l_5_loop = l_5_e = missing
                            if environment.getattr(l_4_x, 'observed'):
                                pass
                                yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_sep')))
                                yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'observed')))
                                yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_colon')))
                                l_5_loop = missing
                                for l_5_o, l_5_loop in LoopContext(environment.getattr(l_4_x, 'observed'), undefined):
                                    _loop_vars = {}
                                    pass
                                    yield '<code>'
                                    yield escape(environment.finalize(l_5_o))
                                    yield '</code>'
                                    if (not environment.getattr(l_5_loop, 'last')):
                                        pass
                                        yield ', '
                                l_5_loop = l_5_o = missing
                            yield '</span></li>'
                        l_4_loop = l_4_x = missing
                        yield '</ul>'
                    if environment.getattr(l_3_u, 'why_not_assessed'):
                        pass
                        yield '<span class="note">'
                        yield escape(environment.finalize(environment.getitem(environment.getattr(l_3_u, 'why_not_assessed'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
                        yield '</span>'
                    if environment.getattr(l_3_u, 'would_assess'):
                        pass
                        yield '<br><span class="note">'
                        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_would_assess')))
                        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_colon')))
                        l_4_loop = missing
                        for l_4_c, l_4_loop in LoopContext(environment.getattr(l_3_u, 'would_assess'), undefined):
                            _loop_vars = {}
                            pass
                            yield '<code>'
                            yield escape(environment.finalize(l_4_c))
                            yield '</code>'
                            if (not environment.getattr(l_4_loop, 'last')):
                                pass
                                yield ', '
                        l_4_loop = l_4_c = missing
                        yield '</span>'
                    yield '</td>\n</tr>\n'
                l_3_loop = l_3_u = missing
            l_2_loop = l_2_p = missing
            yield '</table>\n'
        l_1_loop = l_1_layer = missing
        yield '</section>\n'

blocks = {}
debug_info = '2=29&3=32&4=34&6=38&7=42&8=44&9=49&11=51&12=63&13=67&15=81&17=93&18=95&20=98&21=109&22=113&25=154&26=156&27=163&28=171&29=183&30=186&31=190&33=192&34=201&35=205&36=215&37=219&38=221&39=225&40=237&41=253'